// "Memory flat in the number of batches", as a number: the least-squares slope of heap in use
// (after a full GC when node runs with --expose-gc) against the number of batches delivered.

export interface HeapSample {
  batches: number;
  heapUsedBytes: number;
}

/** Heap in use now; collects garbage first when `global.gc` is exposed, so samples compare. */
export function sampleHeap(batches: number): HeapSample {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return { batches, heapUsedBytes: process.memoryUsage().heapUsed };
}

/** KB of heap per batch (least squares); 0 for fewer than two distinct points. */
export function heapSlopeKbPerBatch(samples: readonly HeapSample[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanX = samples.reduce((sum, s) => sum + s.batches, 0) / n;
  const meanY = samples.reduce((sum, s) => sum + s.heapUsedBytes, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const s of samples) {
    covariance += (s.batches - meanX) * (s.heapUsedBytes - meanY);
    variance += (s.batches - meanX) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance / 1024;
}
