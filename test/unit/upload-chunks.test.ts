import { describe, expect, it } from 'vitest';

import { DEFAULT_UPLOAD_CHUNK_BYTES } from '../../src/lib/bynder/constants';
import { chooseChunkBytes, peekFirstBytes, readChunks } from '../../src/lib/bynder/upload-chunks';

async function* streamOf(...pieces: number[][]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield Uint8Array.from(piece);
}

/** Each chunk copied as it comes (the reader reuses one buffer, so a chunk is valid until the next). */
async function collect(chunks: AsyncIterable<Uint8Array>): Promise<number[][]> {
  const seen: number[][] = [];
  for await (const chunk of chunks) seen.push([...chunk]);
  return seen;
}

const policyOf = (conditions: unknown[]): string =>
  Buffer.from(JSON.stringify({ expiration: '2030-01-01T00:00:00Z', conditions })).toString('base64');

describe('readChunks', () => {
  it('cuts pieces of any size into chunks of exactly the size, the last one shorter', async () => {
    const chunks = await collect(readChunks(streamOf([1, 2], [3, 4, 5, 6, 7], [], [8]), 3));
    expect(chunks).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8],
    ]);
  });

  it('gives a chunk as soon as it is full, before reading further', async () => {
    const pulled: number[] = [];
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 4; i += 1) {
        pulled.push(i);
        yield Uint8Array.from([i, i]);
      }
    }
    const iterator = readChunks(source(), 4)[Symbol.asyncIterator]();
    expect([...(await iterator.next()).value!]).toEqual([0, 0, 1, 1]);
    expect(pulled).toEqual([0, 1]);
  });

  it('fills one buffer again for every chunk: nothing of the file is kept', async () => {
    const buffers = new Set<ArrayBufferLike>();
    for await (const chunk of readChunks(streamOf([1, 2, 3, 4, 5, 6, 7]), 2)) buffers.add(chunk.buffer);
    expect(buffers.size).toBe(1);
  });

  it('gives nothing for an empty stream, and refuses a chunk size that is not a positive whole number', async () => {
    expect(await collect(readChunks(streamOf(), 3))).toEqual([]);
    await expect(collect(readChunks(streamOf([1]), 0))).rejects.toThrow(RangeError);
  });
});

describe('peekFirstBytes', () => {
  it('says a stream of empty pieces is empty, and hands a non-empty one on whole', async () => {
    expect((await peekFirstBytes(streamOf([], []))).empty).toBe(true);
    const peeked = await peekFirstBytes(streamOf([], [1], [2, 3]));
    expect(peeked.empty).toBe(false);
    expect(await collect(peeked.body)).toEqual([[1], [2, 3]]);
  });
});

describe('chooseChunkBytes', () => {
  it("takes the SDKs' 5 MiB, or less when the signed policy or the caller caps a part lower", () => {
    expect(chooseChunkBytes(undefined)).toBe(DEFAULT_UPLOAD_CHUNK_BYTES);
    expect(chooseChunkBytes(policyOf([['content-length-range', 1, 1024]]))).toBe(1024);
    expect(chooseChunkBytes(policyOf([['content-length-range', 1, 50 * 1024 * 1024]]))).toBe(
      DEFAULT_UPLOAD_CHUNK_BYTES,
    );
    expect(chooseChunkBytes(policyOf([]), 2048)).toBe(2048);
  });

  it('keeps the default for a policy it cannot read', () => {
    expect(chooseChunkBytes('not base64 json')).toBe(DEFAULT_UPLOAD_CHUNK_BYTES);
    expect(chooseChunkBytes(policyOf([['content-length-range', 1, 'many']]))).toBe(
      DEFAULT_UPLOAD_CHUNK_BYTES,
    );
  });
});
