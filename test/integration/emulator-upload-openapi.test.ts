import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { callEmulator, useEmulator } from '../helpers/use-emulator';

interface OpenApi {
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
}

const fixture = (name: string): OpenApi =>
  JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/bynder-openapi', name), 'utf8')) as OpenApi;
const upload = fixture('bynder-asset-upload-openapi.json');
const brands = fixture('bynder-brands-v4-openapi.json');

const emulator = useEmulator();
const ID = '00000000-0000-0000-0000000000000000';
/**
 * Answers the documents leave out: save as a new version documents only its 201, and the emulator
 * answers an unknown asset as every media route does (docs/emulator.md).
 */
const UNDOCUMENTED: Readonly<Record<string, string[]>> = {
  'POST /api/v4/media/{id}/save/{importId}': ['404'],
};

/** Every path and method of a document, with its placeholders filled. */
function operations(
  api: OpenApi,
): Array<{ method: string; path: string; template: string; statuses: string[] }> {
  return Object.entries(api.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      template,
      path: `${template.replace(/\{[^}]+\}/g, ID).replace(/\/?$/, '/')}${template.endsWith('poll') ? `?items=${ID}` : ''}`,
      statuses: Object.keys(operation.responses ?? {}),
    })),
  );
}

describe('the emulator against the vendored upload and brands OpenAPI', () => {
  it.each([...operations(upload), ...operations(brands)])(
    'routes $method $template to a handler that answers a documented status',
    async ({ method, path: url, template, statuses }) => {
      emulator.clearRequests();
      const response = await callEmulator(emulator, method, url, method === 'POST' ? { form: {} } : {});
      const [entry] = emulator.requests();
      expect(entry?.route).not.toBe('UNMATCHED');
      expect([...statuses, ...(UNDOCUMENTED[`${method} ${template}`] ?? [])]).toContain(
        String(response.status),
      );
    },
  );

  it('answers brands with exactly the documented fields', async () => {
    const schema = (brands.paths['/api/v4/brands/']?.get?.responses?.['200'] ?? {}) as {
      content: { 'application/json': { schema: { items: { properties: Record<string, unknown> } } } };
    };
    const documented = Object.keys(schema.content['application/json'].schema.items.properties).sort();
    const answer = (await callEmulator(emulator, 'GET', '/api/v4/brands/')).json as Array<
      Record<string, unknown>
    >;
    expect(Object.keys(answer[0] ?? {}).sort()).toEqual(documented);
  });
});
