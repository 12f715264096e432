import { DEFAULT_UPLOAD_CHUNK_BYTES } from './constants';

// How a file stream becomes the upload's chunks: fixed-size pieces cut from the bytes as they
// arrive, in one buffer that is filled, sent and filled again. The whole file is never held; the
// most held at once is one chunk (plus the piece of the stream being copied in).

/**
 * Chunks of exactly `chunkBytes` (the last one shorter) from `body`, as views of ONE buffer: a
 * chunk is valid only until the next one is asked for, which is when the buffer is refilled. The
 * consumer sends each chunk before asking for the next, so nothing is copied twice.
 */
export async function* readChunks(
  body: AsyncIterable<Uint8Array>,
  chunkBytes: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) {
    throw new RangeError(`chunkBytes must be a positive whole number, got ${chunkBytes}`);
  }
  const buffer = new Uint8Array(chunkBytes);
  let filled = 0;
  for await (const piece of body) {
    let offset = 0;
    while (offset < piece.length) {
      const take = Math.min(chunkBytes - filled, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === chunkBytes) {
        yield buffer;
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}

/**
 * The chunk size for an upload: the SDKs' 5 MiB, or less when the init's signed POST policy caps a
 * part lower (its `content-length-range` condition), or when the caller asks for less. The policy
 * is base64 JSON (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html);
 * one that cannot be read leaves the default.
 */
export function chooseChunkBytes(policy: string | undefined, requested?: number): number {
  let chunkBytes = DEFAULT_UPLOAD_CHUNK_BYTES;
  if (requested !== undefined && Number.isInteger(requested) && requested > 0) {
    chunkBytes = Math.min(chunkBytes, requested);
  }
  const limit = policy === undefined ? undefined : policyMaxBytes(policy);
  return limit === undefined ? chunkBytes : Math.min(chunkBytes, limit);
}

function policyMaxBytes(policy: string): number | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  const conditions = (parsed as { conditions?: unknown } | null)?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  for (const condition of conditions) {
    if (Array.isArray(condition) && condition[0] === 'content-length-range') {
      const max = Number(condition[2]);
      return Number.isInteger(max) && max >= 1 ? max : undefined;
    }
  }
  return undefined;
}

/**
 * Reads the stream's first non-empty piece before anything is sent, so an empty file costs no
 * request; the piece is handed on at the front of the returned stream. The returned stream is an
 * iterator of its own, not a generator: its `return()` reaches the source even when it was never
 * read (a generator never started skips its body), so a caller that gives up before reading closes
 * the source (its connection, and its listener on the time budget's signal).
 */
export async function peekFirstBytes(
  body: AsyncIterable<Uint8Array>,
): Promise<{ empty: boolean; body: AsyncIterableIterator<Uint8Array> }> {
  const iterator = body[Symbol.asyncIterator]();
  let first = await iterator.next();
  while (first.done !== true && first.value.length === 0) first = await iterator.next();
  let head: Uint8Array | undefined = first.done === true ? undefined : first.value;
  const rest: AsyncIterableIterator<Uint8Array> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: async () => {
      if (head === undefined) return iterator.next();
      const value = head;
      head = undefined;
      return { done: false, value };
    },
    return: async () => {
      head = undefined;
      return (await iterator.return?.()) ?? { done: true, value: undefined };
    },
  };
  return { empty: first.done === true, body: rest };
}
