import { describe, expect, it } from 'vitest';

import type { Metaproperty } from '../../src/lib/bynder/api-types';
import { ledgerKeyOf, readLedger } from '../../src/lib/state/ledger';
import type { PlanPolicy } from '../../src/lib/delivery/plan';
import { planBatch } from '../../src/lib/delivery/plan';
import {
  checkRecordBounds,
  MAX_RECORD_DEPTH,
  MAX_RECORD_TEXT_CHARACTERS,
  MAX_RECORD_VALUES,
} from '../../src/lib/record-bounds';
import { buildFieldModel } from '../../src/lib/fields/field-model';
import { type KeyValueStore, type Logger, systemClock } from '../../src/lib/runtime-ports';
import { reasonOf } from '../../src/lib/delivery/outcome';

// Hostile records are bounded one by one: a record too deep or too large for anything that recurses
// over it (the ledger key's JSON, the validators) is rejected alone and its neighbours are planned.
// Text that cannot travel as UTF-8 is rejected with a reason rather than sent as U+FFFD.

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const CAMPAIGN = '1A2B3C4D-1111-4A22-9B33C44D55E66F77';
const SUMMER = '9F8E7D6C-2222-4B33-8C44D55E66F77A88';
const metaproperties: Metaproperty[] = [
  {
    id: CAMPAIGN,
    name: 'campaign',
    label: 'Campaign',
    type: 'select',
    isMultiselect: true,
    options: [{ id: SUMMER, name: 'summer', label: 'Summer' }],
  },
];
const policy: PlanPolicy = { deletePolicy: 'archive', emptyValues: 'leave', unknownOptions: 'reject' };
const model = buildFieldModel(metaproperties, {
  primaryKey: { kind: 'asset_id' },
  logger: silent,
  fetchedAt: 0,
});
const externalKeyModel = buildFieldModel(
  [...metaproperties, { id: 'SKU-ID', name: 'sku', label: 'SKU', type: 'text' }],
  { primaryKey: { kind: 'external_key', metaproperty: 'sku' }, logger: silent, fetchedAt: 0 },
);

const A = '7C1D2E3F-4444-4D55-9E66F77A88B99C00';
const B = '7C1D2E3F-5555-4D55-9E66F77A88B99C00';
const C = '7C1D2E3F-6666-4D55-9E66F77A88B99C00';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = { inner: value };
  return value;
}

const emptyStore: KeyValueStore = {
  get: async () => ({}),
  put: async () => ({}),
  patch: async () => ({}),
  delete: async () => ({}),
  increment: async () => 0,
};

describe('record bounds', () => {
  const deep = { asset_id: B, unmapped_blob: nested(5_000), description: 'never sent' };
  const batch = [{ asset_id: A, description: 'left' }, deep, { asset_id: C, description: 'right' }];

  it('computes the ledger key of a batch holding a value nested 5,000 deep (JSON.stringify throws RangeError on it)', async () => {
    const key = ledgerKeyOf('sync-1', batch);
    expect(key).toMatch(/^delivery_ledger_[0-9a-f]{32}$/);
    expect(ledgerKeyOf('sync-1', batch)).toBe(key);
    // The other items still tell batches apart.
    expect(ledgerKeyOf('sync-1', [batch[0], deep])).not.toBe(key);
    await expect(
      readLedger(emptyStore, { items: batch, sync: { id: 'sync-1' } }, systemClock),
    ).resolves.toMatchObject({
      key,
    });
  });

  it('keeps ledger keys of ordinary batches apart, bigints included', () => {
    expect(ledgerKeyOf('s', [{ asset_id: A, n: 1n }])).not.toBe(ledgerKeyOf('s', [{ asset_id: A, n: 2n }]));
    expect(ledgerKeyOf('s', [{ a: 'x' }, { b: 'y' }])).not.toBe(ledgerKeyOf('s', [{ a: 'x', b: 'y' }]));
  });

  it('rejects the deep record alone, naming its field and the limit, and plans its neighbours', () => {
    const plan = planBatch(batch, model, policy);
    expect(plan.writes.map((write) => [write.key, write.form.description])).toEqual([
      [A, 'left'],
      [C, 'right'],
    ]);
    expect(plan.rejected).toEqual([
      expect.objectContaining({ key: B, records: [1], field: 'unmapped_blob' }),
    ]);
    expect(reasonOf(plan.rejected[0] ?? { problems: [] })).toBe(
      `field "unmapped_blob": is nested more than ${MAX_RECORD_DEPTH} levels deep, the limit per record; send text, a number, a boolean or a list of them`,
    );
  });

  it('rejects a deep value in the primary field by position, without recursing into it', () => {
    const plan = planBatch([{ asset_id: nested(5_000) }, { asset_id: A, description: 'x' }], model, policy);
    expect(plan.rejected).toEqual([expect.objectContaining({ subject: 'record #1', field: 'asset_id' })]);
    expect(plan.writes).toHaveLength(1);
  });

  it('accepts what OCP sends (flat fields, lists of tags) and the largest value a field takes', () => {
    expect(checkRecordBounds({ asset_id: A, tags: ['a', 'b'], description: 'x'.repeat(100_000) })).toEqual({
      ok: true,
    });
    expect(checkRecordBounds({ a: nested(MAX_RECORD_DEPTH - 1) })).toEqual({ ok: true });
    expect(checkRecordBounds({ a: nested(MAX_RECORD_DEPTH) })).toMatchObject({ ok: false, field: 'a' });
  });

  it('rejects a record with too many values or too much text, naming the limit', () => {
    const many = checkRecordBounds({
      asset_id: A,
      tags: Array.from({ length: MAX_RECORD_VALUES }, () => 't'),
    });
    expect(many).toMatchObject({ ok: false, field: 'tags' });
    expect(!many.ok && many.problem).toContain('past 10,000 values, the limit per record');
    const wide = checkRecordBounds({ asset_id: A, a: 'x'.repeat(MAX_RECORD_TEXT_CHARACTERS) });
    expect(!wide.ok && wide.problem).toMatch(/^takes the record past 2,000,000 characters of text/);
    const members = Object.fromEntries(Array.from({ length: MAX_RECORD_VALUES + 1 }, (_, i) => [`f${i}`, 1]));
    expect(checkRecordBounds(members)).toMatchObject({ ok: false, field: undefined });
  });
});

describe('lone surrogates', () => {
  const LONE = 'a\uD800b';

  it('rejects a lone surrogate in a text field with the field, the problem and the fix', () => {
    const plan = planBatch(
      [
        { asset_id: A, description: LONE },
        { asset_id: B, description: 'ok' },
      ],
      model,
      policy,
    );
    expect(plan.writes.map((write) => write.key)).toEqual([B]);
    expect(plan.rejected[0]).toMatchObject({ key: A, field: 'description' });
    expect(reasonOf(plan.rejected[0] ?? { problems: [] })).toBe(
      'field "description": contains a lone surrogate (\\uD800, half of a UTF-16 pair) at position 2, which cannot be sent as UTF-8; fix the source value\'s encoding',
    );
  });

  it('rejects a lone low surrogate in tags, and in an option value even when unknown options are dropped', () => {
    const tags = planBatch([{ asset_id: A, tags: ['ok', '\uDC00x'] }], model, policy);
    expect(reasonOf(tags.rejected[0] ?? { problems: [] })).toMatch(
      /^field "tags": contains a lone surrogate \(\\uDC00/,
    );
    const option = planBatch([{ asset_id: A, campaign: ['Summer', LONE] }], model, {
      ...policy,
      unknownOptions: 'drop',
    });
    expect(option.writes).toEqual([]);
    expect(reasonOf(option.rejected[0] ?? { problems: [] })).toMatch(
      /^field "campaign": "a\\ud800b" contains a lone surrogate/,
    );
  });

  it('rejects a lone surrogate in an external key before any lookup', () => {
    const plan = planBatch([{ sku: `SKU-${LONE}`, description: 'x' }], externalKeyModel, policy);
    expect(plan.writes).toEqual([]);
    expect(reasonOf(plan.rejected[0] ?? { problems: [] })).toMatch(/^"sku" contains a lone surrogate/);
  });

  it('sends a well-formed pair (an emoji) as it is', () => {
    const plan = planBatch(
      [{ asset_id: A, description: 'sun \u{1F31E}', tags: ['\u{1F31E}'] }],
      model,
      policy,
    );
    expect(plan.rejected).toEqual([]);
    expect(plan.writes[0]?.form).toMatchObject({ description: 'sun \u{1F31E}', tags: '\u{1F31E}' });
  });
});

describe('many events for one key', () => {
  // Semantics only: the cost is measured side by side by `npm run bench -- --hostile`. Before replay
  // grew one list in place, 50,000 events for one key took over 15 s here (vitest's 5 s timeout).
  it('replays 50,000 events for one key into one write that covers every valid event', () => {
    const events: unknown[] = Array.from({ length: 50_000 }, (_, i) =>
      i === 20_000
        ? { asset_id: A, _isDeleted: true }
        : i % 1_000 === 999
          ? { asset_id: A, campaign: 'Sumer' }
          : { asset_id: A, description: `v${i}`, ...(i === 30_000 ? { copyright: 'kept' } : {}) },
    );
    const plan = planBatch(events, model, policy);
    expect(plan.rejected).toHaveLength(50);
    expect(plan.writes).toHaveLength(1);
    const [write] = plan.writes;
    // The delete at 20,000 archives (delete policy "archive"); the upserts after it still apply.
    expect(write?.form).toEqual({ description: 'v49998', archive: 'true', copyright: 'kept' });
    expect(write?.records).toHaveLength(50_000 - 50);
    expect(write?.records.slice(0, 3)).toEqual([0, 1, 2]);
    expect(write?.records.at(-1)).toBe(49_998);
  });
});
