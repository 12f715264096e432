import { describe, expect, it } from 'vitest';

import type { DestinationField } from '../../dev/cli/sync/mapping/destination-fields';
import { FieldMapping } from '../../dev/cli/sync/mapping/field-mapping';
import { parseMappingFile } from '../../dev/cli/sync/mapping/mapping-file';
import { findMappingProblem } from '../../dev/cli/sync/mapping/source-mapping-checks';
import { toAssetItem } from '../../dev/cli/sync/mapping/record-to-item';

const FIELDS: DestinationField[] = [
  { name: 'asset_id', display_name: 'Asset ID', type: 'string', primary: true },
  { name: 'description', display_name: 'Description', type: 'string' },
  { name: 'date_published', display_name: 'Date published', type: 'string' },
  { name: 'campaign_name', display_name: 'Campaign', type: 'string' },
];

describe('matching columns by name (no mapping file)', () => {
  it('matches by name, ignoring case and punctuation, or by display name; reports the rest with a reason', () => {
    const mapping = FieldMapping.create(FIELDS);
    mapping.observe(['Asset ID', 'DESCRIPTION', 'date-published', 'Campaign', 'Notes', '_isDeleted']);
    expect(mapping.mapped.map((m) => [m.column, m.field])).toEqual([
      ['Asset ID', 'asset_id'],
      ['DESCRIPTION', 'description'],
      ['date-published', 'date_published'],
      ['Campaign', 'campaign_name'],
      ['_isDeleted', '_isDeleted'],
    ]);
    expect(mapping.unmatched).toEqual([
      { column: 'Notes', reason: 'no destination field has this name or display name' },
    ]);
  });

  it('feeds each field from one column only: a second column for the same field is reported, not sent', () => {
    const mapping = FieldMapping.create(FIELDS);
    mapping.observe(['description', 'Description ']);
    expect(mapping.fieldFor('Description ')).toBeUndefined();
    expect(mapping.unmatched[0]?.reason).toBe('field "description" is already fed by column "description"');
  });
});

describe('columns that look like a delete flag (no mapping file)', () => {
  it('names every delete-flag look-alike that does not feed _isDeleted, in any case or spelling', () => {
    const mapping = FieldMapping.create(FIELDS);
    mapping.observe([
      'asset_id',
      'Deleted',
      'is_deleted',
      '_ISDELETED',
      'IsDeleted',
      'delete',
      'Deletion date',
    ]);
    expect(mapping.unmappedDeleteFlags).toEqual([
      'Deleted',
      'is_deleted',
      '_ISDELETED',
      'IsDeleted',
      'delete',
    ]);
  });

  it('accepts the exact _isDeleted column, and leaves the choice to a mapping file when there is one', () => {
    const exact = FieldMapping.create(FIELDS);
    exact.observe(['asset_id', '_isDeleted']);
    expect(exact.unmappedDeleteFlags).toEqual([]);
    const mapped = FieldMapping.create(FIELDS, parseMappingFile('asset_id: asset_id\n'));
    mapped.observe(['asset_id', 'Deleted']);
    expect(mapped.unmappedDeleteFlags).toEqual([]);
  });
});

describe('mapping file', () => {
  it('reads "source column: destination field" lines and sends only the mapped columns', () => {
    const mapping = FieldMapping.create(
      FIELDS,
      parseMappingFile('Key: asset_id\nText: Description\nGone: _isDeleted\n'),
    );
    mapping.observe(['Key', 'Text', 'description', 'Gone']);
    expect(mapping.fieldFor('Text')).toBe('description');
    expect(mapping.fieldFor('description')).toBeUndefined();
    expect(mapping.fieldFor('Gone')).toBe('_isDeleted');
    expect(mapping.unmatched).toEqual([{ column: 'description', reason: 'not in the mapping file' }]);
  });

  it('names the valid fields when a line maps to a field the destination does not have', () => {
    expect(() => FieldMapping.create(FIELDS, parseMappingFile('Key: asset_id\nTitle: headline\n'))).toThrow(
      'mapping file: column "Title" maps to "headline", which is not a destination field. Valid fields: asset_id, description, date_published, campaign_name (or _isDeleted for the delete flag)',
    );
  });

  it('refuses two columns for one field, and files that are not a flat map', () => {
    expect(() => FieldMapping.create(FIELDS, parseMappingFile('A: description\nB: description\n'))).toThrow(
      /both map to "description"/,
    );
    expect(() => parseMappingFile('fields:\n  A: description\n')).toThrow(
      /"fields": must be a destination field name/,
    );
    expect(() => parseMappingFile('- a\n- b\n')).toThrow(/YAML map of "source column: destination field"/);
    expect(() => parseMappingFile('')).toThrow(/maps no columns/);
  });
});

describe('record to item', () => {
  const mapping = FieldMapping.create(
    FIELDS,
    parseMappingFile('Key: asset_id\nText: description\nDeleted: _isDeleted\n'),
  );

  it('sends an upsert with mapped fields only, values unchanged', () => {
    expect(toAssetItem({ Key: 'A1', Text: '', Other: 'x', Deleted: 'no' }, mapping)).toEqual({
      ok: true,
      key: 'A1',
      item: { asset_id: 'A1', description: '' },
    });
  });

  it('sends a delete as OCP does: the primary key and _isDeleted only', () => {
    for (const flag of ['yes', 'TRUE', '1', true, 1]) {
      expect(toAssetItem({ Key: 'A1', Text: 'ignored', Deleted: flag }, mapping)).toEqual({
        ok: true,
        key: 'A1',
        item: { asset_id: 'A1', _isDeleted: true },
      });
    }
  });

  it('rejects a delete flag that is not yes or no, naming the accepted values', () => {
    const result = toAssetItem({ Key: 'A1', Deleted: 'perhaps' }, mapping);
    expect(result).toMatchObject({ ok: false, key: 'A1', field: '_isDeleted' });
    expect(!result.ok && result.reason).toContain('use true, 1 or yes to delete');
  });
});

describe('mapping checked against the source', () => {
  const file = parseMappingFile('Asset ID: asset_id\nTitle: description\nDeleted: _isDeleted\n');
  const shape = { file: 'a.csv', format: 'csv' as const, mappingFile: 'm.yml', recordsSeen: 1 };

  it('names each mapped column the source lacks, its field, a near miss, and the columns it has', () => {
    const mapping = FieldMapping.create(FIELDS, file);
    mapping.observe(['Asset ID', 'title']);
    expect(findMappingProblem(mapping, shape)).toBe(
      '--mapping "m.yml" maps columns that --source "a.csv" does not have: "Title" (to description; ' +
        'the source has "title"), "Deleted" (to the delete flag). Its header row has "Asset ID", "title". ' +
        'Correct the column names in the mapping file (they must match the source exactly), or pass ' +
        '--allow-missing-columns to sync without them.',
    );
  });

  it('lets --allow-missing-columns through, and says "keys" for JSON Lines', () => {
    const mapping = FieldMapping.create(FIELDS, file);
    mapping.observe(['Asset ID']);
    expect(findMappingProblem(mapping, { ...shape, allowMissingColumns: true })).toBeUndefined();
    expect(findMappingProblem(mapping, { ...shape, format: 'jsonl', recordsSeen: 3 })).toContain(
      'Its first 3 record(s) have the keys "Asset ID".',
    );
  });
});
