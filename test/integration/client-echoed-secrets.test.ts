import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BynderClient } from '../../src/lib/bynder/BynderClient';
import { MAX_DETAIL_LENGTH } from '../../src/lib/bynder/constants';
import { captureFailure } from '../helpers/capture-failure';
import { findLeaks } from '../helpers/secret-scan';
import { portalOf } from '../helpers/portal-origin';

// A hostile "portal" on loopback that echoes what it was sent: the Authorization header as is and in
// base64, the issued OAuth token in base64, the token request's body (client secret, form-encoded,
// in lower-case escapes) and the HTTP Basic spelling of the client credentials, each alone and across
// the 300-character cut of Bynder's message. Nothing of any secret may reach an error (message,
// stack, cause, JSON, inspect) or a log line, whatever the encoding.

const CLIENT_ID = 'echo-client-3b5d';
const CLIENT_SECRET = 'echo+secret/K8x=Pp2#W9';
const ISSUED_TOKEN = 'issued-T0KEN-6a8c0e2f4b6d8a0c';
const PERMANENT_TOKEN = 'echo-perm-T0KEN-1f3b5d7a9c2e';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const lowerEscapes = (text: string) => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());

let server: Server;
let portal = '';
let echoIndex = 0;

/** What the server echoes for one request: one form per request, in turn, alone or across the cut. */
function echoFor(request: IncomingMessage, body: string): string {
  const authorization = request.headers.authorization ?? '';
  const token = authorization.replace(/^Bearer /, '');
  const forms = [
    authorization,
    b64(authorization),
    b64(token),
    lowerEscapes(body),
    b64(`${CLIENT_ID}:${CLIENT_SECRET}`),
    b64(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`),
  ];
  const form = forms[Math.floor(echoIndex / 2) % forms.length] ?? '';
  const straddle = echoIndex % 2 === 1;
  echoIndex += 1;
  return straddle
    ? `${'x'.repeat(MAX_DETAIL_LENGTH - Math.ceil(form.length / 2))}${form} trailing words`
    : `you sent ${form} here`;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const tokenCall = request.url?.startsWith('/v6/authentication/oauth2/token') === true;
      if (tokenCall && echoIndex % 3 !== 2) {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ access_token: ISSUED_TOKEN, expires_in: 3600, token_type: 'bearer' }));
        return;
      }
      response.writeHead(400, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ message: echoFor(request, body), statuscode: 400 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  portal = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('a server echoing secrets back', () => {
  it('gets none of them, in any encoding or piece, into errors or logs', async () => {
    const said: string[] = [];
    const record = (...args: unknown[]) => said.push(args.map((a) => inspect(a, { depth: 5 })).join(' '));
    const logger = { debug: record, info: record, warn: record, error: record };
    const clients = [
      () =>
        new BynderClient({
          portalUrl: portalOf(portal),
          credentials: { kind: 'oauth_client_credentials', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
          logger,
          // A clock of its own per client: each asks for its own token rather than share one.
          clock: { now: () => Date.now(), sleep: () => Promise.resolve() },
          retries: 0,
        }),
      () =>
        new BynderClient({
          portalUrl: portalOf(portal),
          credentials: { kind: 'permanent_token', token: PERMANENT_TOKEN },
          logger,
          retries: 0,
        }),
    ];
    for (let round = 0; round < 12; round += 1) {
      for (const make of clients) {
        const error = await captureFailure(
          make().updateMedia('ABCDEF01-2345-4ABC-8DEF0123456789AB', {}),
          said,
        );
        said.push(error.stack ?? '', inspect(error.cause, { depth: 5 }));
      }
    }
    const places = said.map((text, i) => ({ where: `capture ${i}`, text }));
    expect(said.join('\n')).toMatch(/you sent \[REDACTED\] here/);
    expect(said.join('\n')).toMatch(/xxxx/);
    for (const secret of [CLIENT_SECRET, ISSUED_TOKEN, PERMANENT_TOKEN]) {
      expect(findLeaks(places, secret, CLIENT_ID)).toEqual([]);
    }
  });
});
