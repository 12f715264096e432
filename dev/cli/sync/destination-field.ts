/** The part of a destination schema field the runner uses (from the app's schema function). */
export interface DestinationField {
  name: string;
  display_name: string;
  type: string;
  primary?: boolean;
}

/** The column or JSON key that marks a record as a delete (true/1/yes), as OCP sends it. */
export const DELETE_FLAG = '_isDeleted';
