// What a deliverer cost Bynder, read from the emulator's request log (the server's view, so every
// deliverer is measured the same way, whatever it counts itself).

/** The subset of the emulator's RequestLogEntry these figures need. */
export interface LoggedRequest {
  at: number;
  route: string;
  status: number;
}

export interface RequestLogFigures {
  requests: number;
  /** Requests answered 2xx (or 404 on delete). */
  succeeded: number;
  rateLimited: number;
  /**
   * Time spent blocked: from each 429 that starts a block to the next success (or the end of the
   * run when none came). The emulator lifts a block only after a quiet period, so this is the
   * time the deliverer could not write, whatever it did meanwhile.
   */
  blockedMs: number;
}

export function summariseRequestLog(entries: readonly LoggedRequest[], endAt: number): RequestLogFigures {
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  let rateLimited = 0;
  let succeeded = 0;
  let blockedMs = 0;
  let blockedSince: number | undefined;
  for (const entry of sorted) {
    if (entry.status === 429) {
      rateLimited += 1;
      blockedSince ??= entry.at;
    } else if (entry.status >= 200 && entry.status < 300) {
      succeeded += 1;
      if (blockedSince !== undefined) {
        blockedMs += entry.at - blockedSince;
        blockedSince = undefined;
      }
    }
  }
  if (blockedSince !== undefined) blockedMs += Math.max(0, endAt - blockedSince);
  return { requests: sorted.length, succeeded, rateLimited, blockedMs };
}
