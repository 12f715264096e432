import { beforeEach, describe, expect, it } from 'vitest';

import { BynderClient } from '../../src/lib/bynder/BynderClient';
import { MAX_WRITE_ANSWER_BYTES } from '../../src/lib/bynder/constants';
import { BynderUnavailableError } from '../../src/lib/bynder/errors';
import { captureFailure } from '../helpers/capture-failure';
import { useLoopbackServer } from '../helpers/loopback-server';
import { recordingLogger } from '../helpers/test-loggers';
import { portalOf } from '../helpers/portal-origin';

// A hostile or broken server that answers a write with an endless body: the client must stop
// reading at the write cap and fail the request, not buffer tens of megabytes per write. The server
// honours backpressure, so what it managed to send is what the client read, plus socket buffers.

const TOKEN = 'answer-size-token-7c3e';
const ENDLESS_BYTES = 96 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');
let sent = 0;
let requests = 0;
const logLines: string[] = [];

function client(): BynderClient {
  return new BynderClient({
    portalUrl: portalOf(server.url),
    credentials: { kind: 'permanent_token', token: TOKEN },
    logger: recordingLogger(logLines),
  });
}

const server = useLoopbackServer((req, res) => {
  requests += 1;
  req.resume();
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'A', big: 'y'.repeat(256 * 1024) }));
    return;
  }
  res.writeHead(202, { 'content-type': 'application/json' });
  const pump = (): void => {
    while (sent < ENDLESS_BYTES && !res.destroyed) {
      sent += CHUNK.length;
      if (!res.write(CHUNK)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
});

beforeEach(() => {
  sent = 0;
  requests = 0;
  logLines.length = 0;
});

describe('answer size caps', () => {
  it('ends a write whose answer runs past the write cap as a failure, once, without buffering it', async () => {
    const error = await captureFailure(client().updateMedia('A1B2', { description: 'x' }), []);
    expect(error).toBeInstanceOf(BynderUnavailableError);
    expect(error.message).toContain(
      `answered more than ${MAX_WRITE_ANSWER_BYTES.toLocaleString('en-US')} bytes, the most this request reads`,
    );
    // Not retried: the same request would get the same answer.
    expect(requests).toBe(1);
    // What the server got out is the cap plus what the sockets buffered: far from the old 64 MiB.
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it('ends a delete whose answer runs past the write cap the same way', async () => {
    const error = await captureFailure(client().deleteMedia('A1B2'), []);
    expect(error.message).toContain('the most this request reads');
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it('reads a larger answer to a read (the listing cap applies there)', async () => {
    await expect(client().getMedia('A1B2')).resolves.toMatchObject({ id: 'A' });
  });
});
