import { describe, expect, it } from 'vitest';

import type { Metaproperty } from '../../src/lib/bynder/api-types';
import type { PlanPolicy } from '../../src/lib/delivery/plan';
import { planBatch, writeFingerprint } from '../../src/lib/delivery/plan';
import { reasonOf } from '../../src/lib/delivery/outcome';
import { buildFieldModel } from '../../src/lib/fields/field-model';
import { silentLogger } from '../helpers/test-loggers';

const CAMPAIGN = '1A2B3C4D-1111-4A22-9B33C44D55E66F77';
const SUMMER = '9F8E7D6C-2222-4B33-8C44D55E66F77A88';
const WINTER = '9F8E7D6C-3333-4B33-8C44D55E66F77A88';
const NOTES = '2B3C4D5E-3333-4C44-8D55E66F77A88B99';
const metaproperties: Metaproperty[] = [
  {
    id: CAMPAIGN,
    name: 'campaign',
    label: 'Campaign',
    type: 'select',
    isMultiselect: false,
    options: [
      { id: SUMMER, name: 'summer', label: 'Summer' },
      { id: WINTER, name: 'winter', label: 'Winter' },
    ],
  },
  { id: NOTES, name: 'usage_notes', label: 'Usage notes', type: 'longtext' },
];
const model = buildFieldModel(metaproperties, {
  primaryKey: { kind: 'asset_id' },
  logger: silentLogger,
  fetchedAt: 0,
});
const policy: PlanPolicy = { deletePolicy: 'archive', emptyValues: 'leave', unknownOptions: 'reject' };

const A = '7C1D2E3F-4444-4D55-9E66F77A88B99C00';
const B = '7C1D2E3F-5555-4D55-9E66F77A88B99C00';

describe('planBatch', () => {
  it('encodes an upsert into one form with metaproperty option ids', () => {
    const plan = planBatch(
      [{ asset_id: A, description: 'Hero', campaign: 'Summer', usage_notes: 'internal' }],
      model,
      policy,
    );
    expect(plan.rejected).toEqual([]);
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]).toMatchObject({ kind: 'upsert', key: A, records: [0] });
    expect(plan.writes[0]?.form).toEqual({
      description: 'Hero',
      [`metaproperty.${CAMPAIGN}`]: SUMMER,
      [`metaproperty.${NOTES}`]: 'internal',
    });
  });

  it('rejects a bad event for a key alone and still applies the valid events before it', () => {
    const plan = planBatch(
      [
        { asset_id: A, description: 'kept', campaign: 'Summer' },
        { asset_id: A, campaign: 'Sumer' },
        { asset_id: A, copyright: 'ACME' },
      ],
      model,
      policy,
    );
    expect(plan.rejected).toHaveLength(1);
    expect(plan.rejected[0]).toMatchObject({ key: A, records: [1], field: 'campaign' });
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]?.records).toEqual([0, 2]);
    expect(plan.writes[0]?.form).toEqual({
      description: 'kept',
      [`metaproperty.${CAMPAIGN}`]: SUMMER,
      copyright: 'ACME',
    });
  });

  it('plans the same writes for one key whether its events share a batch or not', () => {
    const events = [
      { asset_id: A, description: 'one' },
      { asset_id: A, campaign: 'Sumer' },
    ];
    const together = planBatch(events, model, policy);
    const apart = events.map((event) => planBatch([event], model, policy));
    expect(together.writes.map((w) => w.form)).toEqual(apart.flatMap((p) => p.writes.map((w) => w.form)));
    expect(together.rejected).toHaveLength(1);
  });

  it('leaves mapped fields absent from a record out of the form', () => {
    const plan = planBatch([{ asset_id: A, copyright: 'ACME' }], model, policy);
    expect(plan.writes[0]?.form).toEqual({ copyright: 'ACME' });
  });

  it('makes one write per key: the last event wins, in batch order, and covers every event', () => {
    const plan = planBatch(
      [
        { asset_id: A, description: 'first' },
        { asset_id: B, description: 'other' },
        { asset_id: A, description: 'second' },
        { asset_id: A, description: 'third' },
      ],
      model,
      policy,
    );
    expect(plan.writes.map((w) => [w.key, w.form.description, w.records])).toEqual([
      [A, 'third', [0, 2, 3]],
      [B, 'other', [1]],
    ]);
  });

  it('merges consecutive partial upserts for one key field by field, later values winning', () => {
    const plan = planBatch(
      [
        { asset_id: A, description: 'old', copyright: 'ACME' },
        { asset_id: A, description: 'new' },
      ],
      model,
      policy,
    );
    expect(plan.writes[0]?.form).toEqual({ description: 'new', copyright: 'ACME' });
  });

  it("archive: a delete merges archive=true into the key's form; fields around it still apply", () => {
    const deleted = planBatch(
      [
        { asset_id: A, description: 'x' },
        { asset_id: A, _isDeleted: true },
      ],
      model,
      policy,
    );
    expect(deleted.writes).toEqual([
      expect.objectContaining({
        kind: 'upsert',
        key: A,
        records: [0, 1],
        form: { description: 'x', archive: 'true' },
      }),
    ]);
    const revived = planBatch(
      [
        { asset_id: A, copyright: 'kept' },
        { asset_id: A, _isDeleted: true },
        { asset_id: A, description: 'back' },
      ],
      model,
      policy,
    );
    expect(revived.writes).toEqual([
      expect.objectContaining({
        kind: 'upsert',
        form: { copyright: 'kept', archive: 'true', description: 'back' },
        records: [0, 1, 2],
      }),
    ]);
    const onlyDeletes = planBatch(
      [
        { asset_id: A, _isDeleted: true },
        { asset_id: A, _isDeleted: true },
      ],
      model,
      policy,
    );
    expect(onlyDeletes.writes).toEqual([
      expect.objectContaining({ kind: 'delete', deleteBy: 'archive', records: [0, 1], form: {} }),
    ]);
  });

  it('delete: a delete wins over earlier upserts, and a later upsert is rejected as targeting a deleted asset', () => {
    const plan = planBatch(
      [
        { asset_id: A, description: 'moot' },
        { asset_id: A, _isDeleted: true },
        { asset_id: A, description: 'too late' },
      ],
      model,
      { ...policy, deletePolicy: 'delete' },
    );
    expect(plan.writes).toEqual([
      expect.objectContaining({ kind: 'delete', deleteBy: 'delete', records: [0, 1], form: {} }),
    ]);
    expect(plan.rejected).toEqual([expect.objectContaining({ key: A, records: [2] })]);
    expect(JSON.stringify(plan.rejected)).toContain('cannot update a deleted asset');
  });

  it('ignore: a delete is settled alone, and the upserts around it merge', () => {
    const plan = planBatch(
      [
        { asset_id: A, copyright: 'kept' },
        { asset_id: A, _isDeleted: true },
        { asset_id: A, description: 'after' },
      ],
      model,
      { ...policy, deletePolicy: 'ignore' },
    );
    expect(plan.writes).toEqual([
      expect.objectContaining({
        kind: 'upsert',
        form: { copyright: 'kept', description: 'after' },
        records: [0, 2],
      }),
    ]);
    expect(plan.done).toEqual([expect.objectContaining({ status: 'applied', key: A, records: [1] })]);
  });

  it.each(['archive', 'delete'] as const)('plans a delete under the %s policy', (deletePolicy) => {
    const plan = planBatch([{ asset_id: A, _isDeleted: true }], model, { ...policy, deletePolicy });
    expect(plan.writes).toEqual([expect.objectContaining({ kind: 'delete', key: A })]);
    expect(plan.done).toEqual([]);
  });

  it('settles a delete as applied without a write under the ignore policy', () => {
    const plan = planBatch([{ asset_id: A, _isDeleted: true }], model, { ...policy, deletePolicy: 'ignore' });
    expect(plan.writes).toEqual([]);
    expect(plan.done).toEqual([expect.objectContaining({ status: 'applied', key: A, records: [0] })]);
  });

  it('treats only _isDeleted === true as a delete', () => {
    const plan = planBatch([{ asset_id: A, _isDeleted: 'true', description: 'kept' }], model, policy);
    expect(plan.writes[0]).toMatchObject({ kind: 'upsert', form: { description: 'kept' } });
  });

  it('rejects an unknown option with the field, the value and the known options, and sends nothing for it', () => {
    const plan = planBatch(
      [
        { asset_id: A, campaign: 'Sumer' },
        { asset_id: B, description: 'fine' },
      ],
      model,
      policy,
    );
    expect(plan.writes.map((w) => w.key)).toEqual([B]);
    expect(plan.rejected).toHaveLength(1);
    const [rejected] = plan.rejected;
    expect(rejected).toMatchObject({ status: 'rejected', key: A, field: 'campaign', records: [0] });
    expect(rejected && reasonOf(rejected)).toContain('field "campaign"');
    expect(rejected && reasonOf(rejected)).toContain('Sumer');
    expect(rejected && reasonOf(rejected)).toContain('Summer');
    expect(rejected && reasonOf(rejected)).toContain('Winter');
  });

  it('drops an unknown option value with a warning under unknownOptions: drop', () => {
    const plan = planBatch([{ asset_id: A, campaign: 'Sumer', description: 'x' }], model, {
      ...policy,
      unknownOptions: 'drop',
    });
    expect(plan.rejected).toEqual([]);
    expect(plan.writes[0]?.form).toMatchObject({ description: 'x' });
  });

  it('follows the empty-values policy: leave sends nothing, clear sends an empty value', () => {
    const leave = planBatch([{ asset_id: A, usage_notes: '' }], model, policy);
    expect(leave.writes).toEqual([]);
    expect(leave.done).toEqual([expect.objectContaining({ status: 'applied', key: A })]);
    const clear = planBatch([{ asset_id: A, usage_notes: '' }], model, { ...policy, emptyValues: 'clear' });
    expect(clear.writes[0]?.form).toEqual({ [`metaproperty.${NOTES}`]: '' });
  });

  it('rejects items without an object shape or a usable key, each with its position, and never throws', () => {
    const hostile: unknown[] = [
      null,
      'text',
      [A],
      42,
      {},
      { asset_id: '' },
      { asset_id: { nested: true } },
      { asset_id: 'a\u0000b' },
      { asset_id: 'x'.repeat(100_000) },
      // Keys that read as text but are no Bynder asset id: rejected by the asset id's own rule.
      { asset_id: '..' },
      JSON.parse('{"asset_id": "__proto__", "__proto__": {"polluted": true}, "constructor": "x"}'),
    ];
    const plan = planBatch(hostile, model, policy);
    expect(plan.rejected.map((r) => r.subject).slice(0, 9)).toEqual(
      Array.from({ length: 9 }, (_, i) => `record #${i + 1}`),
    );
    expect(plan.rejected.at(-2)).toMatchObject({ key: '..', field: 'asset_id' });
    expect(plan.rejected.every((r) => reasonOf(r).length < 300)).toBe(true);
    // "__proto__" reads as a key string but is no Bynder asset id, so it is rejected like the rest.
    expect(plan.writes).toEqual([]);
    expect(plan.rejected).toHaveLength(hostile.length);
    expect(plan.rejected.at(-1)).toMatchObject({ key: '__proto__', field: 'asset_id' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects a key that cannot be a Bynder asset id before any request (e.g. URL characters)', () => {
    const plan = planBatch([{ asset_id: '../x?y#z', description: 'd' }], model, policy);
    expect(plan.writes).toEqual([]);
    expect(plan.rejected[0]).toMatchObject({ key: '../x?y#z', field: 'asset_id' });
    expect(reasonOf(plan.rejected[0] ?? { problems: [] })).toMatch(
      /field "asset_id": is not a Bynder asset id/,
    );
  });

  it('drops fields the model does not know and writes the rest (schema drift)', () => {
    const plan = planBatch(
      [
        { asset_id: A, description: 'kept', retired_field: 'x' },
        { asset_id: B, retired_field: 'y', copyright: 'c' },
      ],
      model,
      policy,
    );
    expect(plan.unknownFields).toEqual(new Map([['retired_field', 2]]));
    expect(plan.writes.map((w) => w.form)).toEqual([{ description: 'kept' }, { copyright: 'c' }]);
  });

  it('drops writes the applied ledger already holds and counts them applied', () => {
    const first = planBatch(
      [
        { asset_id: A, description: 'x' },
        { asset_id: B, description: 'y' },
      ],
      model,
      policy,
    );
    const [firstWrite] = first.writes;
    const applied = new Set(firstWrite ? [writeFingerprint(firstWrite)] : []);
    const retry = planBatch(
      [
        { asset_id: A, description: 'x' },
        { asset_id: B, description: 'y' },
      ],
      model,
      policy,
      applied,
    );
    expect(retry.writes.map((w) => w.key)).toEqual([B]);
    expect(retry.done).toEqual([expect.objectContaining({ status: 'applied', key: A })]);
  });

  it('never skips a record whose content changed since the ledger entry', () => {
    const first = planBatch([{ asset_id: A, description: 'x' }], model, policy);
    const changed = planBatch(
      [{ asset_id: A, description: 'y' }],
      model,
      policy,
      new Set(first.writes.map(writeFingerprint)),
    );
    expect(changed.writes.map((w) => w.key)).toEqual([A]);
  });
});
