/** Groups a stream into arrays of `size` (the last one may be shorter), holding one batch at a time. */
export async function* inBatches<T>(source: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  if (!Number.isInteger(size) || size < 1) {
    throw new TypeError(`batch size must be a whole number from 1 up, got ${size}`);
  }
  let batch: T[] = [];
  for await (const entry of source) {
    batch.push(entry);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
