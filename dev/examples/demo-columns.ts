// The columns of examples/assets.csv and what each one means in Bynder terms. The generator writes
// them; the demo's read-back uses them to compute, independently of the app, what the portal should
// hold after the sync. examples/mapping.yml maps the same columns to the app's destination fields.

export type DemoTarget =
  | { kind: 'asset-id' }
  | { kind: 'delete-flag' }
  /** A standard text property of the asset (`name`, `description`, `copyright`). */
  | { kind: 'text'; property: 'name' | 'description' | 'copyright' }
  | { kind: 'tags' }
  | { kind: 'boolean'; property: 'limited' }
  | { kind: 'date'; property: 'datePublished' }
  /** A metaproperty, by its Bynder name; `add`: mapped to its "add values" field (keeps what the asset holds). */
  | { kind: 'option'; metaproperty: string; multiple: boolean; add?: boolean }
  | { kind: 'meta-text'; metaproperty: string; maxLength?: number }
  | { kind: 'meta-date'; metaproperty: string };

export interface DemoColumn {
  column: string;
  target: DemoTarget;
}

/** Bynder refuses nothing longer on a text metaproperty; the app rejects longer values. */
export const MAX_TEXT_LENGTH = 2500;

export const DEMO_COLUMNS: readonly DemoColumn[] = [
  { column: 'Asset ID', target: { kind: 'asset-id' } },
  { column: 'Title', target: { kind: 'text', property: 'name' } },
  { column: 'Summary', target: { kind: 'text', property: 'description' } },
  { column: 'Rights holder', target: { kind: 'text', property: 'copyright' } },
  { column: 'Keywords', target: { kind: 'tags' } },
  { column: 'Restricted', target: { kind: 'boolean', property: 'limited' } },
  { column: 'Go-live date', target: { kind: 'date', property: 'datePublished' } },
  { column: 'Campaign', target: { kind: 'option', metaproperty: 'Campaign_name', multiple: false } },
  { column: 'Markets', target: { kind: 'option', metaproperty: 'Region', multiple: true } },
  // Mapped to channel_add: the source adds its channels and keeps those the asset has.
  { column: 'Channels', target: { kind: 'option', metaproperty: 'Channel', multiple: true, add: true } },
  { column: 'Workflow status', target: { kind: 'option', metaproperty: 'Asset_status', multiple: false } },
  {
    column: 'Shot by',
    target: { kind: 'meta-text', metaproperty: 'Photographer', maxLength: MAX_TEXT_LENGTH },
  },
  { column: 'Usage notes', target: { kind: 'meta-text', metaproperty: 'Usage_notes' } },
  { column: 'Expires on', target: { kind: 'meta-date', metaproperty: 'Expiry_date' } },
  { column: 'Deleted', target: { kind: 'delete-flag' } },
];

/** A column the mapping leaves out on purpose, to show how the runner reports unmapped columns. */
export const UNMAPPED_COLUMN = 'Internal ref';

/**
 * The demo's fixed value (examples/settings.yml, `records.fixed_values`): every record without its own value
 * for the field gets it. The mapping feeds no column to it, so every upserted asset gets it.
 */
export const DEMO_FIXED_VALUES: ReadonlyArray<{ field: string; value: string; target: DemoTarget }> = [
  {
    field: 'usage_rights',
    value: 'Editorial',
    target: { kind: 'option', metaproperty: 'Usage_rights', multiple: false },
  },
];
