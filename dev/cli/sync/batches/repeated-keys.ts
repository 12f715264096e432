import { createHash } from 'node:crypto';

// A source that holds one key twice with different values contradicts itself: the last record wins,
// and on every run the earlier one is written and then overwritten, so change detection sees a change
// each time and a re-sync never settles to "unchanged". The runner counts such keys to say so. Only a
// digest per key is kept (32 bytes), so a long source costs little memory.

/** How many of the keys the summary names. */
const NAMED_KEYS = 5;

export class RepeatedKeys {
  private readonly digests = new Map<string, string>();
  private readonly contradicting = new Set<string>();

  /** Notes one record (the item as it goes to the app) under its key. */
  public observe(key: string, item: Record<string, unknown>): void {
    const digest = createHash('sha256').update(canonical(item)).digest('base64');
    const before = this.digests.get(key);
    if (before !== undefined && before !== digest) this.contradicting.add(key);
    this.digests.set(key, digest);
  }

  /** Keys that appeared again with other values, and the first few of them. */
  public get summary(): { count: number; examples: string[] } {
    return { count: this.contradicting.size, examples: [...this.contradicting].slice(0, NAMED_KEYS) };
  }
}

function canonical(item: Record<string, unknown>): string {
  return JSON.stringify(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
