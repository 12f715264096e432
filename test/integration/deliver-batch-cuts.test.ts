import { beforeEach, describe, expect, it } from 'vitest';

import { assetId, configureApp, deliver, portalSeed, TOKEN } from '../helpers/deliver-fixture';
import { useEmulator } from '../helpers/use-emulator';

// Replaying a key's events must leave Bynder as applying them one by one would, wherever OCP cuts
// its batches: the same events in one batch and split over two end in the same asset, under each
// delete policy.

const emulator = useEmulator({ tokens: [{ token: TOKEN }], applyDelayMs: 0 });
const A = assetId(1);
const B = assetId(2);

const deleteA = { asset_id: A, _isDeleted: true };
const asset = (id: string) => {
  const found = emulator.snapshot().assets.find((a) => a.id === id);
  return found && { archive: found.archive, description: found.description, copyright: found.copyright };
};

type Policy = 'archive' | 'delete' | 'ignore';

/** The events in one batch, then the same events one batch each; what Bynder holds after each. */
async function oneBatchAndCut(policy: Policy, events: object[]) {
  emulator.seed(portalSeed());
  await configureApp(emulator.url, { delete_policy: policy });
  const together = await deliver(events);
  await emulator.settle();
  const inOne = asset(A);
  emulator.seed(portalSeed());
  await configureApp(emulator.url, { delete_policy: policy });
  const apart = [];
  for (const [i, event] of events.entries()) apart.push(await deliver([event], { syncId: `cut-${i}` }));
  await emulator.settle();
  return { together, apart, inOne, cut: asset(A) };
}

beforeEach(() => emulator.faults.clear());

describe('batch cuts do not change the result', () => {
  it('archive: [delete A, upsert A] archives A and updates it, as two batches do', async () => {
    const run = await oneBatchAndCut('archive', [deleteA, { asset_id: A, description: 'after' }]);
    expect(run.cut).toMatchObject({ archive: true, description: 'after' });
    expect(run.inOne).toEqual(run.cut);
    expect(run.together).toEqual({ success: true });
  });

  it('archive: [upsert A, delete A] keeps the upsert and archives, as two batches do', async () => {
    const run = await oneBatchAndCut('archive', [{ asset_id: A, description: 'before' }, deleteA]);
    expect(run.cut).toMatchObject({ archive: true, description: 'before' });
    expect(run.inOne).toEqual(run.cut);
  });

  it('archive: a later archive=false wins over an earlier delete', async () => {
    const run = await oneBatchAndCut('archive', [deleteA, { asset_id: A, archive: false }]);
    expect(run.cut).toMatchObject({ archive: false });
    expect(run.inOne).toEqual(run.cut);
  });

  it('ignore: upserts around an ignored delete all apply, as separate batches do', async () => {
    const run = await oneBatchAndCut('ignore', [
      { asset_id: A, copyright: 'kept' },
      deleteA,
      { asset_id: A, description: 'after' },
    ]);
    expect(run.cut).toMatchObject({ archive: false, copyright: 'kept', description: 'after' });
    expect(run.inOne).toEqual(run.cut);
    expect(run.together).toEqual({ success: true });
  });

  it('delete: an upsert after the delete is rejected as not found, in one batch as in two', async () => {
    const events = [deleteA, { asset_id: A, description: 'after' }, { asset_id: B, description: 'b' }];
    const run = await oneBatchAndCut('delete', events);
    expect(run.inOne).toBeUndefined(); // deleted (in the trash)
    expect(run.cut).toBeUndefined();
    // Two batches: Bynder answers the update 404; one batch: the same rejection, without the request.
    expect(run.apart[1]).toMatchObject({ success: false, retryable: false });
    expect(run.together).toMatchObject({ success: false, retryable: false });
    expect(run.together.failureReason).toContain('1 of 3 records rejected');
    expect(run.together.failureReason).toMatch(/cannot update a deleted asset/);
  });
});
