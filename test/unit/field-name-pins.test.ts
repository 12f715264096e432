import { resetLocalStores, storage } from '@zaiusinc/app-sdk';
import { beforeEach, describe, expect, it } from 'vitest';

import { assignFieldNames } from '../../src/lib/fields/field-name';
import { KV_ROWS } from '../../src/lib/state/kv-rows';
import { pinFieldNames } from '../../src/lib/fields/field-name-pins';
import { STANDARD_FIELD_NAMES } from '../../src/lib/fields/standard-fields';

// Concurrent writers of the pins row (parallel deliver() invocations, the schema function) over the
// SDK's own kvStore: none may lose another's pins, and each must answer with what the row holds.

const PORTAL = 'https://portal.example.com';
const shared = { id: 'ID-A', name: 'campaign' };
// Both normalise to `colour`: the two writers compete for one name.
const colourX = { id: 'ID-X', name: 'Colour' };
const colourY = { id: 'ID-Y', name: 'COLOUR' };

async function storedPins(): Promise<Map<string, string>> {
  const row = await storage.kvStore.get(KV_ROWS.fieldNamePins.key);
  const names = row.names as string[];
  return new Map((row.ids as string[]).map((id, i) => [id, names[i]!]));
}

beforeEach(() => resetLocalStores());

describe('pinFieldNames with concurrent writers', () => {
  it('keeps every pin when two first writers add different metaproperties at once', async () => {
    for (let run = 0; run < 20; run += 1) {
      resetLocalStores();
      const [left, right] = await Promise.all([
        pinFieldNames(storage.kvStore, PORTAL, [shared, colourX], STANDARD_FIELD_NAMES),
        pinFieldNames(storage.kvStore, PORTAL, [shared, colourY], STANDARD_FIELD_NAMES),
      ]);
      const pins = await storedPins();
      expect([...pins.keys()].sort()).toEqual(['ID-A', 'ID-X', 'ID-Y']);
      expect(new Set(pins.values()).size).toBe(3);
      // Each caller answers with the row's names, so both offer the same name for the same id.
      for (const answer of [left, right]) {
        expect(answer.complete).toBe(true);
        for (const [id, name] of answer.names) expect(pins.get(id)).toBe(name);
      }
    }
  });

  it('answers later calls from the pins, whatever else appeared or disappeared', async () => {
    await pinFieldNames(storage.kvStore, PORTAL, [shared, colourX], STANDARD_FIELD_NAMES);
    const first = await storedPins();
    // X is deleted in Bynder; Y appears with a name that would otherwise take X's `colour`.
    const later = await pinFieldNames(storage.kvStore, PORTAL, [shared, colourY], STANDARD_FIELD_NAMES);
    expect(later.names.get('ID-A')).toBe(first.get('ID-A'));
    expect(first.get('ID-X')).toBe('colour');
    expect(later.names.get('ID-Y')).toMatch(/^colour_[0-9a-f]{6}$/);
    expect((await storedPins()).get('ID-X')).toBe('colour'); // retired, never handed on
  });

  it('starts afresh for another portal', async () => {
    await pinFieldNames(storage.kvStore, PORTAL, [colourX], STANDARD_FIELD_NAMES);
    const other = await pinFieldNames(
      storage.kvStore,
      'https://other.example.com',
      [colourY],
      STANDARD_FIELD_NAMES,
    );
    expect(other.names.get('ID-Y')).toBe('colour');
  });
});

describe('assignFieldNames with pins', () => {
  it('never gives a metaproperty a pinned name that a standard field has', () => {
    const names = assignFieldNames(
      [{ id: 'ID-D', name: 'notes' }],
      STANDARD_FIELD_NAMES,
      new Map([['ID-D', 'description']]),
    );
    expect(names.has('ID-D')).toBe(false);
  });
});
