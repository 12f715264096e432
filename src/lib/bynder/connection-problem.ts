import type { Credentials } from '../config';

// What a failed request to the portal means for the person who set the app up: which setting is
// wrong (the portal, the credentials or the user's rights) and what to do about it. Each Bynder
// error answers it for itself (BynderError.describeConnection).

export type ConnectionProblem =
  'portal' | 'credentials' | 'permissions' | 'rate_limited' | 'bynder_trouble' | 'unexpected';

export interface ConnectionFailure {
  problem: ConnectionProblem;
  /** The form field to mark, when one setting is clearly at fault. */
  field: string | undefined;
  /** The toast text: what is wrong and what to do. */
  message: string;
}

/** The portal and credentials a failure is described for (the message names them). */
export interface ConnectionTarget {
  portalUrl: string;
  credentials: Credentials;
}
