import { randomBytes } from 'node:crypto';

import Bynder from '@bynder/bynder-js-sdk';
import { describe, expect, it } from 'vitest';

import type { MediaFile } from '../../dev/bynder-emulator/server';
import { multipartEtag } from '../helpers/upload-flow';
import { useEmulator } from '../helpers/use-emulator';

// Contract: Bynder's own JavaScript SDK (@bynder/bynder-js-sdk 2.5.2) uploads a file to the
// emulator as it would to Bynder: its uploadFile sends 5 MiB chunks to the S3 URL the endpoint
// names (a multipart form built from the init's multipart_params plus plupload's fields), registers
// each with POST v4/upload/ and `id` in the form, finalises, polls, and saves with POST v4/media/save/.

const BRAND = '11111111-2222-3333-4444555566667777';
const TOPIC = 'AAAAAAAA-0000-0000-0000000000000001';
const emulator = useEmulator({
  seed: {
    metaproperties: { topic: { id: TOPIC, name: 'topic', type: 'text' } },
    assets: [],
    brands: [{ id: BRAND, name: 'Acme' }],
  },
  // The SDK polls every 2 s on real timers: a converted-at-once import needs only its first poll.
  conversionDelayMs: 0,
});

describe("Bynder's JS SDK against the emulator's upload flow", () => {
  it('uploads a 12 MiB file in three chunks and saves it with its fields', async () => {
    const body = randomBytes(12 * 1024 * 1024 + 3);
    const sdk = new Bynder({ baseURL: `${emulator.url}/api/`, permanentToken: emulator.token });
    const saved = (await sdk.uploadFile({
      filename: 'catalogue.jpg',
      body,
      length: body.length,
      data: { brandId: BRAND, name: 'Catalogue', tags: 'print', [`metaproperty.${TOPIC}`]: 'spring' },
    })) as { mediaid: string; success: boolean };
    expect(saved.success).toBe(true);

    const chunk = 5 * 1024 * 1024;
    const chunks = [body.subarray(0, chunk), body.subarray(chunk, 2 * chunk), body.subarray(2 * chunk)];
    const asset = emulator.snapshot().assets.find((entry) => entry.id === saved.mediaid);
    expect(asset).toMatchObject({
      name: 'Catalogue',
      tags: ['print'],
      property_topic: 'spring',
      brandId: BRAND,
    });
    expect(asset?.fileSize).toBe(body.length);
    expect((asset?.mediaItems as MediaFile[])[0]).toMatchObject({
      size: body.length,
      etag: multipartEtag(chunks),
    });
    const steps = emulator.requests().map((entry) => `${entry.route} ${entry.status}`);
    // The SDK asks for the endpoint and the init at once: either may be logged first.
    expect(steps.slice(0, 2).sort()).toEqual(['GET /api/upload/endpoint/ 200', 'POST /api/upload/init/ 200']);
    expect(steps.slice(2)).toEqual([
      'POST / 201',
      'POST /api/v4/upload/ 202',
      'POST / 201',
      'POST /api/v4/upload/ 202',
      'POST / 201',
      'POST /api/v4/upload/ 202',
      'POST /api/v4/upload/:id/ 202',
      'GET /api/v4/upload/poll/ 200',
      'POST /api/v4/media/save/ 201',
    ]);
  });
});
