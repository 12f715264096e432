import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Metaproperty } from '../../src/lib/bynder/api-types';
import { metapropertyListingSchema } from '../../src/lib/bynder/response-schemas';
import { ConfigError } from '../../src/lib/config';
import { buildFieldModel } from '../../src/lib/fields/field-model';
import type { Logger } from '../../src/lib/runtime-ports';

const nastyListing = metapropertyListingSchema.parse(
  JSON.parse(readFileSync(path.join(__dirname, '../fixtures/nasty-metaproperties.json'), 'utf8')),
);
if (nastyListing.skipped.length > 0) {
  throw new Error(`fixture entries unreadable: ${JSON.stringify(nastyListing.skipped)}`);
}
const nasty: Metaproperty[] = nastyListing.metaproperties;
const NO_OPTIONS_NOR_TEXT =
  'cannot be written safely: it carries no options and is not text, long text or a date';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  return { lines, debug: record, info: record, warn: record, error: record };
}
const build = (
  mps: readonly Metaproperty[],
  primaryKey: Parameters<typeof buildFieldModel>[1]['primaryKey'] = { kind: 'asset_id' },
) => buildFieldModel(mps, { primaryKey, logger: recordingLogger(), fetchedAt: 1_000 });

describe('buildFieldModel', () => {
  it('orders primary, standard fields, then metaproperties by zindex then name', () => {
    const model = build([
      { id: 'b', name: 'beta', type: 'text', zindex: 2 },
      { id: 'a', name: 'alpha', type: 'text', zindex: 2 },
      { id: 'z', name: 'zulu', type: 'text', zindex: 1 },
      { id: 'n', name: 'no_zindex', type: 'text' },
    ]);
    expect(model.fields.map((f) => f.name).slice(15, 18)).toEqual(['file_url', 'file_name', 'file_version']);
    expect(model.fields.map((f) => f.name).slice(18)).toEqual(['zulu', 'alpha', 'beta', 'no_zindex']);
    expect(model.fields[0]?.name).toBe('asset_id');
    expect(model.primary.name).toBe('asset_id');
    expect(model.fetchedAt).toBe(1_000);
  });

  it('has exactly one primary field and unique names', () => {
    const model = build(nasty);
    expect(model.fields.filter((f) => f.primary)).toHaveLength(1);
    expect(new Set(model.fields.map((f) => f.name)).size).toBe(model.fields.length);
    expect(model.byName.size).toBe(model.fields.length);
  });

  it('lists what it left out, and logs it once', () => {
    const logger = recordingLogger();
    const model = buildFieldModel(nasty, { primaryKey: { kind: 'asset_id' }, logger, fetchedAt: 0 });
    expect(model.leftOut).toEqual([
      { name: 'related_assets', reason: `type "linked_assets" ${NO_OPTIONS_NOR_TEXT}` },
      { name: 'legacy_code', reason: 'not editable in Bynder' },
      { name: 'price', reason: `type "number" ${NO_OPTIONS_NOR_TEXT}` },
    ]);
    expect(logger.lines).toEqual([
      expect.stringContaining('left out 3 metaproperties: related_assets (type "linked_assets"'),
    ]);
  });

  it('disambiguates duplicate display names with the field name, and uses the name for an empty label', () => {
    const byName = build(nasty).byName;
    expect(byName.get('region')?.displayName).toBe('Region (region)');
    expect(byName.get('region_notes')?.displayName).toBe('region (region_notes)');
    expect(byName.get('mp_description')?.displayName).toBe('mp_description'); // empty label
    expect(byName.get('mp_tags')?.displayName).toBe('tags (mp_tags)'); // label falls back to "tags", which clashes with "Tags"
    expect(byName.get('description')?.target.kind).toBe('standard');
  });

  describe('external_key mode', () => {
    it('makes the chosen text metaproperty primary and drops asset_id', () => {
      const model = build(nasty, { kind: 'external_key', metaproperty: 'x' });
      expect(model.primary).toMatchObject({
        name: 'mp_x',
        primary: true,
        target: { kind: 'metaproperty', name: 'x' },
      });
      expect(model.fields[0]).toBe(model.primary);
      expect(model.byName.has('asset_id')).toBe(false);
      expect(model.fields.filter((f) => f.primary)).toHaveLength(1);
    });

    it.each([
      ['sku', 'does not exist in Bynder'],
      ['region', 'is of type "select", not text'],
      ['legacy_code', 'is not editable in Bynder'],
    ])('refuses %j with a ConfigError saying what to fix', (metaproperty, problem) => {
      const attempt = () => build(nasty, { kind: 'external_key', metaproperty });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(problem);
      expect(attempt).toThrow(
        /Choose an editable text metaproperty in the app's Records settings \(text metaproperties: .*mp_description/,
      );
    });
  });
});
