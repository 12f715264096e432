import { describe, expect, it } from 'vitest';

import type { MediaForm } from '../../src/lib/bynder/bynder-api';
import { findAddedAndRemoved, foldListChanges, mergeUpsertForm } from '../../src/lib/delivery/list-delta';

/** The merged form of events applied in order. */
function merged(...events: MediaForm[]): MediaForm {
  const form: MediaForm = {};
  for (const event of events) mergeUpsertForm(form, event);
  return form;
}

describe('mergeUpsertForm: events end as applying them one by one would', () => {
  it('an add cancels an earlier remove of the value, and the reverse', () => {
    expect(merged({ '-tags': 'a,b' }, { '+tags': 'a' })).toEqual({ '-tags': 'b', '+tags': 'a' });
    expect(merged({ '+tags': 'a' }, { '-tags': 'a' })).toEqual({ '-tags': 'a' });
  });

  it('a whole list cancels earlier add/remove values; later ones change the list', () => {
    expect(merged({ '+tags': 'a' }, { tags: 'x' })).toEqual({ tags: 'x' });
    expect(merged({ tags: 'x,y' }, { '+tags': 'z' }, { '-tags': 'x' })).toEqual({ tags: 'y,z' });
  });
});

describe('foldListChanges', () => {
  it('computes the whole list from what Bynder holds; unknown lists keep their add/remove values', () => {
    const form = { description: 'd', '+tags': 'b,c', '-tags': 'a', '+metaproperty.R': 'x' };
    expect(foldListChanges(form, (key) => (key === 'tags' ? ['a', 'b'] : undefined))).toEqual({
      description: 'd',
      tags: 'b,c',
      '+metaproperty.R': 'x',
    });
  });
});

describe('findAddedAndRemoved', () => {
  it('names the values one record both adds and removes', () => {
    expect(findAddedAndRemoved({ '+tags': 'a,b', '-tags': 'b,c' })).toEqual([
      { formKey: 'tags', values: ['b'] },
    ]);
  });
});
