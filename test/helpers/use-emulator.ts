import { afterAll, beforeAll } from 'vitest';

import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../dev/bynder-emulator/server';

/**
 * One Bynder emulator for the calling test file: started on 127.0.0.1, port 0, before the file's
 * tests, stopped after them. The returned handle reads the running emulator, so it is usable in
 * tests and hooks but not at collection time. `seed: 'demo-portal'` loads examples/portal.json.
 */
export function useEmulator(options: EmulatorOptions = {}): RunningEmulator {
  let running: RunningEmulator | undefined;
  beforeAll(async () => {
    running = await startEmulator({ port: 0, ...options });
  });
  afterAll(async () => {
    await running?.stop();
    running = undefined;
  });
  return new Proxy({} as RunningEmulator, {
    get(_target, property) {
      if (!running) {
        throw new Error(
          `emulator.${String(property)} read outside a test: useEmulator() starts it in beforeAll`,
        );
      }
      return Reflect.get(running, property) as unknown;
    },
  });
}

export interface EmulatorResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; undefined for an empty or non-JSON body. */
  json: unknown;
}

/**
 * One plain-fetch request to the emulator with its permanent token (unless `token` overrides it,
 * null sends none). Bodies given as a record are sent form-encoded, as Bynder expects; an array
 * value repeats its key (`tags=a&tags=b`), as Bynder's JS and Python SDKs send a list.
 */
export async function callEmulator(
  emulator: Pick<RunningEmulator, 'url' | 'token'>,
  method: string,
  path: string,
  options: {
    form?: Record<string, string | string[]>;
    json?: unknown;
    token?: string | null;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<EmulatorResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? emulator.token : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(
      Object.entries(options.form).flatMap(([key, value]) =>
        (Array.isArray(value) ? value : [value]).map((item): [string, string] => [key, item]),
      ),
    ).toString();
  } else if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined; // a non-JSON body (the 429) is asserted through `text`
  }
  return { status: response.status, headers: response.headers, text, json };
}
