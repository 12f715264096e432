import { describe, expect, it } from 'vitest';

import { type MergePolicy, remainderAfter } from '../../src/lib/delivery/supersede';

// What of a parked record a later applied event for its key leaves, by the rules one batch merges a
// key's events with.

const policy = (overrides: Partial<MergePolicy> = {}): MergePolicy => ({
  keyField: 'asset_id',
  deletePolicy: 'archive',
  emptyValues: 'leave',
  ...overrides,
});
const parked = { asset_id: 'A', description: 'old', usage_notes: 'notes' };

describe('remainderAfter', () => {
  it('keeps the fields a later upsert does not carry, and the key', () => {
    expect(remainderAfter(parked, { asset_id: 'A', description: 'new' }, policy())).toEqual({
      asset_id: 'A',
      usage_notes: 'notes',
    });
  });

  it('leaves nothing when the later upsert carries every field', () => {
    const later = { asset_id: 'A', description: 'new', usage_notes: 'other' };
    expect(remainderAfter(parked, later, policy())).toBeUndefined();
  });

  it('counts an empty value as replacing only when empty values clear', () => {
    const later = { asset_id: 'A', description: '' };
    expect(remainderAfter(parked, later, policy())).toBe(parked);
    expect(remainderAfter(parked, later, policy({ emptyValues: 'clear' }))).toEqual({
      asset_id: 'A',
      usage_notes: 'notes',
    });
  });

  it('lets a later delete supersede an upsert unless the delete was ignored', () => {
    const later = { asset_id: 'A', _isDeleted: true };
    expect(remainderAfter(parked, later, policy())).toBeUndefined();
    expect(remainderAfter(parked, later, policy({ deletePolicy: 'delete' }))).toBeUndefined();
    expect(remainderAfter(parked, later, policy({ deletePolicy: 'ignore' }))).toBe(parked);
  });

  it('lets a later upsert supersede a parked delete', () => {
    const deleted = { asset_id: 'A', _isDeleted: true };
    expect(remainderAfter(deleted, { asset_id: 'A', description: 'new' }, policy())).toBeUndefined();
  });
});
