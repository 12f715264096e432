import axios from 'axios';
import pLimit from 'p-limit';

import type { Media } from '../../../src/lib/bynder/api-types';
import type { Normalised, PortalView } from './demo-expectation';
import { normaliseApiValue } from './demo-expectation';

// Reads assets back over Bynder's public API (`GET /api/v4/media/{id}/`) with plain axios, not the
// app's client, so the check does not trust the code it checks.

const READ_CONCURRENCY = 8;

/** The listed properties of each asset in normal form, plus `present` (false when the API says 404). */
export function viewOfMedia(media: readonly Media[], properties: readonly string[]): PortalView {
  const view: PortalView = new Map();
  for (const asset of media) view.set(asset.id, pickProperties(asset, properties));
  return view;
}

export async function readBackAssets(
  portalUrl: string,
  token: string,
  ids: readonly string[],
  properties: readonly string[],
): Promise<PortalView> {
  const limit = pLimit(READ_CONCURRENCY);
  const view: PortalView = new Map();
  await Promise.all(
    ids.map((id) =>
      limit(async () => {
        const response = await axios.get<Media>(`${portalUrl}/api/v4/media/${encodeURIComponent(id)}/`, {
          headers: { Authorization: `Bearer ${token}` },
          validateStatus: () => true,
          timeout: 10_000,
        });
        if (response.status === 404) view.set(id, new Map([['present', 'false']]));
        else if (response.status === 200) view.set(id, pickProperties(response.data, properties));
        else throw new Error(`reading asset ${id} back answered ${response.status}`);
      }),
    ),
  );
  return view;
}

export interface Difference {
  id: string;
  property: string;
  expected: Normalised;
  actual: Normalised;
}

/** Every expected property whose value the portal does not hold. */
export function diffViews(expected: PortalView, actual: PortalView): Difference[] {
  const differences: Difference[] = [];
  for (const [id, properties] of expected) {
    const got = actual.get(id) ?? new Map<string, Normalised>([['present', 'false']]);
    if (properties.get('present') === 'false' || got.get('present') === 'false') {
      if (properties.get('present') !== got.get('present')) {
        differences.push({
          id,
          property: 'present',
          expected: properties.get('present') ?? 'true',
          actual: got.get('present') ?? 'true',
        });
      }
      continue;
    }
    for (const [property, value] of properties) {
      const actualValue = got.get(property) ?? '';
      if (actualValue !== value) differences.push({ id, property, expected: value, actual: actualValue });
    }
  }
  return differences;
}

function pickProperties(asset: Media, properties: readonly string[]): Map<string, Normalised> {
  const byLowerName = new Map(
    Object.entries(asset).map(([key, value]) => [key.toLowerCase(), value as unknown]),
  );
  const view = new Map<string, Normalised>([['present', 'true']]);
  for (const property of properties) {
    view.set(property, normaliseApiValue(property, byLowerName.get(property.toLowerCase())));
  }
  return view;
}
