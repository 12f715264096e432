import { describe, expect, it } from 'vitest';

import type { PortalView, SourceRow } from '../../dev/cli/demo/demo-expectation';
import { expectDemoOutcome } from '../../dev/cli/demo/demo-expectation';
import { diffViews } from '../../dev/cli/demo/portal-read-back';
import type { DemoColumn } from '../../dev/examples/demo-columns';
import { DEMO_PLAN, generateDemoRows, toCsv } from '../../dev/examples/generate-assets';

const COLUMNS: DemoColumn[] = [
  { column: 'Id', target: { kind: 'asset-id' } },
  { column: 'Text', target: { kind: 'text', property: 'description' } },
  { column: 'Season', target: { kind: 'option', metaproperty: 'Season', multiple: false } },
  { column: 'Deleted', target: { kind: 'delete-flag' } },
];
const OPTIONS = new Map([['season', [{ name: 'summer', label: 'Summer' }]]]);

function portal(): PortalView {
  const asset = () =>
    new Map([
      ['present', 'true'],
      ['description', 'old'],
      ['property_season', ''],
      ['archive', 'false'],
    ]);
  return new Map([
    ['A', asset()],
    ['B', asset()],
    ['C', asset()],
  ]);
}

const rows: SourceRow[] = [
  { line: 2, cells: { Id: 'A', Text: 'first', Season: 'Summer' } },
  { line: 3, cells: { Id: 'B', Text: 'bad', Season: 'Sumer' } },
  { line: 4, cells: { Id: 'A', Text: 'last', Season: 'summer' } },
  { line: 5, cells: { Id: 'C', Deleted: 'yes' } },
  { line: 6, cells: { Id: 'Z', Text: 'unknown asset' } },
];

describe('demo read-back oracle', () => {
  it('lets the last event win, leaves rejected rows without effect, and archives deletes', () => {
    const expected = expectDemoOutcome(rows, portal(), {
      columns: COLUMNS,
      options: OPTIONS,
      deletePolicy: 'archive',
    });
    expect(expected).toMatchObject({ applied: 2, deleted: 1, rejectedLines: [3, 6] });
    expect(expected.assets.get('A')?.get('description')).toBe('last');
    expect(expected.assets.get('A')?.get('property_season')).toBe('summer');
    expect(expected.assets.get('B')?.get('description')).toBe('old');
    expect(expected.assets.get('C')?.get('archive')).toBe('true');
  });

  it('expects a deleted asset to be gone under the delete policy "delete"', () => {
    const expected = expectDemoOutcome(rows, portal(), {
      columns: COLUMNS,
      options: OPTIONS,
      deletePolicy: 'delete',
    });
    expect(expected.assets.get('C')?.get('present')).toBe('false');
  });

  it('finds every property the portal holds differently, and a deleted asset that is still there', () => {
    const expected = expectDemoOutcome(rows, portal(), {
      columns: COLUMNS,
      options: OPTIONS,
      deletePolicy: 'delete',
    });
    const actual = portal();
    actual.get('A')?.set('description', 'first');
    expect(diffViews(expected.assets, actual)).toEqual([
      { id: 'A', property: 'description', expected: 'last', actual: 'first' },
      { id: 'A', property: 'property_season', expected: 'summer', actual: '' },
      { id: 'C', property: 'present', expected: 'false', actual: 'true' },
    ]);
  });
});

describe('demo data generator', () => {
  const seed = {
    metaproperties: {
      Campaign_name: { options: [{ name: 'spring', label: 'Spring' }] },
      Region: { options: [{ name: 'emea', options: [{ name: 'dach', label: 'DACH' }] }] },
      Channel: { options: [{ name: 'web' }] },
      Asset_status: { options: [{ name: 'draft' }] },
    },
    assets: Array.from({ length: 400 }, (_, i) => ({ id: `ID-${i}` })),
  };

  it('is deterministic: the same portal gives the same file', () => {
    expect(toCsv(generateDemoRows(seed))).toBe(toCsv(generateDemoRows(seed)));
  });

  it('holds the planned mix of rows', () => {
    const generated = generateDemoRows(seed);
    const planned = Object.values(DEMO_PLAN).reduce((sum, n) => sum + n, 0);
    expect(generated).toHaveLength(planned);
    expect(generated.filter((r) => ['yes', 'true', '1'].includes(r.Deleted ?? ''))).toHaveLength(
      DEMO_PLAN.deletes,
    );
    expect(generated.filter((r) => r['Asset ID'] === '')).toHaveLength(DEMO_PLAN.missingId);
  });
});

describe('demo read-back oracle: add values and fixed values', () => {
  it('adds to what the asset holds, and applies a fixed value to every upsert but no delete', () => {
    const columns: DemoColumn[] = [
      { column: 'Id', target: { kind: 'asset-id' } },
      { column: 'Tags', target: { kind: 'option', metaproperty: 'Season', multiple: true, add: true } },
      { column: 'Deleted', target: { kind: 'delete-flag' } },
    ];
    const options = new Map([
      [
        'season',
        [
          { name: 'summer', label: 'Summer' },
          { name: 'winter', label: 'Winter' },
        ],
      ],
      ['rights', [{ name: 'editorial', label: 'Editorial' }]],
    ]);
    const before = portal();
    before.get('A')?.set('property_season', 'winter');
    const expected = expectDemoOutcome(
      [
        { line: 2, cells: { Id: 'A', Tags: 'Summer' } },
        { line: 3, cells: { Id: 'C', Deleted: 'yes' } },
      ],
      before,
      {
        columns,
        fixed: [{ value: 'Editorial', target: { kind: 'option', metaproperty: 'Rights', multiple: false } }],
        options,
        deletePolicy: 'archive',
      },
    );
    expect(expected.assets.get('A')?.get('property_season')).toBe('summer | winter');
    expect(expected.assets.get('A')?.get('property_rights')).toBe('editorial');
    expect(expected.assets.get('C')?.get('property_rights')).toBeUndefined();
  });
});
