import type { DemoColumn, DemoTarget } from '../../examples/demo-columns';

// The demo's oracle: from the source rows, the portal as it was before the sync, and the write rules
// (last event wins, a rejected row changes nothing, deletes per policy, empty cells leave values),
// what each asset should hold afterwards, worked out without the app's code.
// Values are compared in a normal form: text as is, lists as sorted sets, booleans as true/false,
// dates as ISO instants.

export type Normalised = string;
/** Asset id to property (`description`, `property_<name>`, `archive`, `present`) to normal form. */
export type PortalView = Map<string, Map<string, Normalised>>;

export interface DemoOption {
  name: string;
  label?: string;
}

export interface DemoRules {
  columns: readonly DemoColumn[];
  /** Fixed values from the settings: applied to every upsert (the demo maps no column to them). */
  fixed?: ReadonlyArray<{ value: string; target: DemoTarget }>;
  /** Options per metaproperty name in lower case (nested options flattened). */
  options: ReadonlyMap<string, readonly DemoOption[]>;
  deletePolicy: 'archive' | 'delete' | 'ignore';
}

export interface SourceRow {
  line: number;
  cells: Record<string, string>;
}

export interface DemoExpectation {
  applied: number;
  deleted: number;
  rejectedLines: number[];
  /** Only the assets and properties the source touches (or tried to). */
  assets: PortalView;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const TRUE = new Set(['true', '1']);
const FALSE = new Set(['false', '0']);

export function expectDemoOutcome(
  rows: readonly SourceRow[],
  before: PortalView,
  rules: DemoRules,
): DemoExpectation {
  const idColumn = rules.columns.find((c) => c.target.kind === 'asset-id')?.column ?? '';
  const deleteColumn = rules.columns.find((c) => c.target.kind === 'delete-flag')?.column ?? '';
  const expected: PortalView = new Map();
  const result: DemoExpectation = { applied: 0, deleted: 0, rejectedLines: [], assets: expected };
  const viewOf = (id: string) => {
    let view = expected.get(id);
    if (!view) {
      view = new Map(before.get(id) ?? []);
      expected.set(id, view);
    }
    return view;
  };

  for (const { line, cells } of rows) {
    const id = (cells[idColumn] ?? '').trim();
    const flag = (cells[deleteColumn] ?? '').trim().toLowerCase();
    const isDelete = ['yes', 'y', 'true', '1'].includes(flag);
    const known = before.has(id);
    if (known) viewOf(id); // a rejected row's asset must stay as it was
    if (!isDelete && !['', 'no', 'n', 'false', '0'].includes(flag)) {
      result.rejectedLines.push(line);
      continue;
    }
    if (id === '' || !known) {
      // Deleting an asset that is not there counts as done; anything else without an asset is rejected.
      if (isDelete && id !== '') result.deleted += 1;
      else result.rejectedLines.push(line);
      continue;
    }
    if (isDelete) {
      result.deleted += 1;
      if (rules.deletePolicy === 'archive') viewOf(id).set('archive', 'true');
      if (rules.deletePolicy === 'delete') viewOf(id).set('present', 'false');
      continue;
    }
    const changes = new Map<string, { value: Normalised; add: boolean }>();
    let valid = true;
    const cellTargets = rules.columns.map(({ column, target }) => ({
      raw: (cells[column] ?? '').trim(),
      target,
    }));
    const fixedTargets = (rules.fixed ?? []).map(({ value, target }) => ({ raw: value, target }));
    for (const { raw, target } of [...fixedTargets, ...cellTargets]) {
      if (raw === '' || target.kind === 'asset-id' || target.kind === 'delete-flag') continue;
      const value = normaliseCell(raw, target, rules.options);
      if (value === undefined) valid = false;
      else changes.set(propertyOf(target), { value, add: target.kind === 'option' && target.add === true });
    }
    if (!valid) {
      result.rejectedLines.push(line);
      continue;
    }
    result.applied += 1;
    const view = viewOf(id);
    for (const [property, { value, add }] of changes) {
      // "Add values": the asset keeps what it holds and gains the row's values.
      view.set(
        property,
        add ? asSet([...(view.get(property) ?? '').split(' | '), ...value.split(' | ')]) : value,
      );
    }
  }
  return result;
}

/** Where a column's value shows in `GET /api/v4/media/{id}/`. */
export function propertyOf(target: DemoTarget): string {
  switch (target.kind) {
    case 'text':
    case 'boolean':
    case 'date':
      return target.property;
    case 'tags':
      return 'tags';
    case 'option':
    case 'meta-text':
    case 'meta-date':
      return `property_${target.metaproperty.toLowerCase()}`;
    default:
      return target.kind;
  }
}

/** A source cell in normal form, or undefined when the rules reject it. */
function normaliseCell(
  raw: string,
  target: DemoTarget,
  options: DemoRules['options'],
): Normalised | undefined {
  switch (target.kind) {
    case 'text':
      return raw;
    case 'meta-text':
      return target.maxLength !== undefined && raw.length > target.maxLength ? undefined : raw;
    case 'tags':
      return asSet(raw.split(','));
    case 'boolean': {
      const word = raw.toLowerCase();
      return TRUE.has(word) ? 'true' : FALSE.has(word) ? 'false' : undefined;
    }
    case 'date':
    case 'meta-date':
      return ISO_DATE.test(raw) && !Number.isNaN(Date.parse(raw)) ? instant(raw) : undefined;
    case 'option': {
      const known = options.get(target.metaproperty.toLowerCase()) ?? [];
      const values = raw
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      if (!target.multiple && values.length > 1) return undefined;
      const names = values.map((v) => known.find((o) => o.name === v || o.label === v)?.name);
      return names.every((n): n is string => n !== undefined) ? asSet(names) : undefined;
    }
    default:
      return undefined;
  }
}

/** A value as the API shows it, in the same normal form as expected values. */
export function normaliseApiValue(property: string, value: unknown): Normalised {
  if (value === undefined || value === null) return '';
  if (property === 'archive' || property === 'limited') {
    return String(value === true || value === 1 || value === '1' || value === 'true');
  }
  if (property === 'datePublished' || property.endsWith('_date')) {
    const first: unknown = Array.isArray(value) ? value[0] : value;
    const text = typeof first === 'string' ? first : '';
    return text === '' ? '' : instant(text);
  }
  if (Array.isArray(value)) return asSet(value.map(String));
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function asSet(values: readonly string[]): string {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))].sort().join(' | ');
}

function instant(text: string): string {
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(time) ? text : new Date(time).toISOString();
}
