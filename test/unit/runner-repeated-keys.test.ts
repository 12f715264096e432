import { describe, expect, it } from 'vitest';

import { RepeatedKeys } from '../../dev/cli/sync/batches/repeated-keys';

// A source that holds one key twice with different values contradicts itself; the runner names such
// keys. A key repeated with the same values (in any member order) is no contradiction.

describe('RepeatedKeys', () => {
  it('counts a key once when it comes back with other values, and names the first few', () => {
    const keys = new RepeatedKeys();
    keys.observe('A', { asset_id: 'A', description: 'one' });
    keys.observe('B', { asset_id: 'B', description: 'same', tags: 'x' });
    keys.observe('A', { asset_id: 'A', description: 'two' });
    keys.observe('B', { tags: 'x', description: 'same', asset_id: 'B' });
    keys.observe('A', { asset_id: 'A', description: 'three' });
    expect(keys.summary).toEqual({ count: 1, examples: ['A'] });
  });

  it('names at most five keys', () => {
    const keys = new RepeatedKeys();
    for (const key of ['A', 'B', 'C', 'D', 'E', 'F']) {
      keys.observe(key, { v: 1 });
      keys.observe(key, { v: 2 });
    }
    expect(keys.summary).toEqual({ count: 6, examples: ['A', 'B', 'C', 'D', 'E'] });
  });
});
