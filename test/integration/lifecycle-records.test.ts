import { logger, resetLocalStores, storage, type SubmittedFormData } from '@zaiusinc/app-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Lifecycle } from '../../src/lifecycle/Lifecycle';
import { useEmulator } from '../helpers/use-emulator';

const emulator = useEmulator({ seed: 'demo-portal' });
const lifecycle = new Lifecycle();

beforeEach(() => {
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
  resetLocalStores();
});

async function connect(): Promise<void> {
  await storage.settings.put('connection', { portal: emulator.url, auth_method: 'permanent_token' });
  await storage.secrets.put('connection', { token: emulator.token });
}

async function submit(section: string, data: Record<string, unknown>) {
  return (await lifecycle.onSettingsForm(section, 'save', data as SubmittedFormData)).getResponse(section);
}

describe('records settings', () => {
  it('saves the write policy and says what it does', async () => {
    const response = await submit('records', {
      primary_key: 'asset_id',
      external_key_metaproperty: 'leftover',
      delete_policy: 'delete',
      empty_values: 'clear',
      unknown_options: 'drop',
    });
    expect(response.toasts).toEqual([
      {
        intent: 'success',
        message:
          'Saved: records match assets by Bynder asset id; deletes delete the asset; empty values clear the Bynder value; unknown option values are dropped; records whose asset does not exist are rejected; files to upload up to 1,024 MB; at most 1,000 deletes and archives per sync an hour (more are held).',
      },
    ]);
    // The metaproperty is not kept while records match by asset id.
    expect(await storage.settings.get('records')).toEqual({
      primary_key: 'asset_id',
      delete_policy: 'delete',
      empty_values: 'clear',
      unknown_options: 'drop',
      max_file_mb: 1024,
      missing_assets: 'reject',
      max_deletes_per_hour: 1000,
    });
  });

  it('saves the largest file to upload, and refuses one out of range with the field named', async () => {
    const saved = await submit('records', { primary_key: 'asset_id', max_file_mb: '250' });
    expect(saved.toasts?.[0]?.message).toMatch(/files to upload up to 250 MB;/);
    expect(await storage.settings.get('records')).toMatchObject({ max_file_mb: 250 });
    const refused = await submit('records', { primary_key: 'asset_id', max_file_mb: '20000' });
    expect(refused.errors).toEqual({
      'records.max_file_mb': ['Largest file to upload (MB) must be at most 10240'],
    });
    expect(await storage.settings.get('records')).toMatchObject({ max_file_mb: 250 });
  });

  it('checks the external key metaproperty against Bynder: a text one is saved', async () => {
    await connect();
    const response = await submit('records', {
      primary_key: 'external_key',
      external_key_metaproperty: 'external_id',
    });
    expect(response.toasts?.[0]?.intent).toBe('success');
    expect(await storage.settings.get('records')).toMatchObject({
      primary_key: 'external_key',
      external_key_metaproperty: 'external_id',
    });
  });

  it('refuses an external key metaproperty that is not text, or does not exist', async () => {
    await connect();
    const wrongType = await submit('records', {
      primary_key: 'external_key',
      external_key_metaproperty: 'region',
    });
    expect(wrongType.errors?.['records.external_key_metaproperty']?.[0]).toMatch(
      /^External key metaproperty "region" is of type select; choose a text metaproperty \(text metaproperties: /,
    );
    const missing = await submit('records', {
      primary_key: 'external_key',
      external_key_metaproperty: 'nope',
    });
    expect(missing.errors?.['records.external_key_metaproperty']?.[0]).toMatch(
      /^External key metaproperty "nope" does not exist in Bynder/,
    );
    expect(missing.toasts).toEqual([
      { intent: 'danger', message: 'Nothing was saved: fix the marked fields and save again.' },
    ]);
    expect(await storage.settings.get('records')).toEqual({});
  });

  it('uses the cached metaproperties for the second check', async () => {
    await connect();
    await submit('records', { primary_key: 'external_key', external_key_metaproperty: 'external_id' });
    emulator.clearRequests();
    await submit('records', { primary_key: 'external_key', external_key_metaproperty: 'photographer' });
    expect(emulator.requests()).toEqual([]);
  });

  it('saves with a warning when the connection is not set up, so it cannot be checked', async () => {
    const response = await submit('records', {
      primary_key: 'external_key',
      external_key_metaproperty: 'sku',
    });
    expect(response.toasts?.map((t) => t.intent)).toEqual(['success', 'warning']);
    expect(response.toasts?.[1]?.message).toContain('because the connection is not saved yet');
  });

  it('creates missing assets only by external key: refused in asset-id mode with the reason', async () => {
    await connect();
    const response = await submit('records', {
      primary_key: 'asset_id',
      missing_assets: 'create',
      brand_id: '00000000-0000-0000-0000000000000B01',
    });
    expect(response.errors).toEqual({
      'records.missing_assets': [
        expect.stringMatching(
          /needs "Match records to assets by" set to "External key": a new asset is found again only by the key/,
        ),
      ],
    });
    expect(await storage.settings.get('records')).toEqual({});
  });

  it('checks the brand of new assets against Bynder, listing its brands by name and id', async () => {
    await connect();
    const byKey = {
      primary_key: 'external_key',
      external_key_metaproperty: 'external_id',
      missing_assets: 'create',
    };
    const empty = await submit('records', byKey);
    expect(empty.errors).toEqual({
      'records.brand_id': [expect.stringMatching(/^Brand of new assets is empty/)],
    });
    const requestsBefore = emulator.requests('GET /api/v4/brands/').length;
    const wrong = await submit('records', { ...byKey, brand_id: 'Emulator brand' });
    expect(wrong.errors).toEqual({
      'records.brand_id': [
        'Brand of new assets "Emulator brand" is not a brand of this portal. "Emulator brand" is the name of brand 00000000-0000-0000-0000000000000B01: enter its id. Enter the id of one of its brands: "Emulator brand" (00000000-0000-0000-0000000000000B01)',
      ],
    });
    expect(emulator.requests('GET /api/v4/brands/').length).toBe(requestsBefore + 1);
    expect(await storage.settings.get('records')).toEqual({});
    const saved = await submit('records', { ...byKey, brand_id: '00000000-0000-0000-0000000000000B01' });
    expect(saved.toasts?.[0]?.message).toMatch(
      /records whose asset does not exist create it from their file_url in brand 00000000-0000-0000-0000000000000B01/,
    );
    expect(await storage.settings.get('records')).toMatchObject({
      missing_assets: 'create',
      brand_id: '00000000-0000-0000-0000000000000B01',
    });
  });

  it('needs a metaproperty in external-key mode', async () => {
    const response = await submit('records', { primary_key: 'external_key' });
    expect(response.errors).toEqual({
      'records.external_key_metaproperty': [
        'External key metaproperty is empty; enter the Bynder name of the text metaproperty to match on, or match by Bynder asset id',
      ],
    });
  });
});

describe('throughput settings', () => {
  it('saves numbers in range as numbers, and change detection on by default', async () => {
    const response = await submit('throughput', { requests_per_second: '4', max_in_flight: 2 });
    expect(response.toasts).toEqual([
      {
        intent: 'success',
        message:
          'Saved: at most 4 requests per second and 2 in flight; assets are read first and only what differs is written; from the next batch on.',
      },
    ]);
    expect(await storage.settings.get('throughput')).toEqual({
      requests_per_second: 4,
      max_in_flight: 2,
      change_detection: 'read_first',
    });
  });

  it('saves change detection turned off', async () => {
    const response = await submit('throughput', {
      requests_per_second: '4',
      max_in_flight: 2,
      change_detection: 'write_all',
    });
    expect(response.toasts?.[0]?.message).toContain('every record is written without reading first');
    expect(await storage.settings.get('throughput')).toMatchObject({ change_detection: 'write_all' });
  });

  it('names the setting and the choices for an unknown change-detection value', async () => {
    const response = await submit('throughput', {
      requests_per_second: '4',
      max_in_flight: 2,
      change_detection: 'maybe',
    });
    expect(response.errors).toEqual({
      'throughput.change_detection': [
        'Before writing has "maybe", which is not a choice; choose read_first or write_all',
      ],
    });
  });

  it('answers per-field errors for numbers out of range and saves nothing', async () => {
    const response = await submit('throughput', { requests_per_second: '16', max_in_flight: '0' });
    expect(response.errors).toEqual({
      'throughput.requests_per_second': ['Requests per second must be at most 15'],
      'throughput.max_in_flight': ['Requests in flight must be at least 1'],
    });
    expect(await storage.settings.get('throughput')).toEqual({});
  });
});
