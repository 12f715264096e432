import axios from 'axios';

import { encodeMediaForm } from '../../src/lib/bynder/media-form';
import type { MediaForm } from '../../src/lib/bynder/bynder-api';

// The two baselines: what a hand-written loop or a thin SDK wrapper does. Both send one
// `POST /api/v4/media/{id}/` per changed asset with plain axios, no budget and no backoff, and
// send again whatever failed (as a caller re-running its sync would), until done or time-boxed.

export interface AssetChange {
  id: string;
  form: MediaForm;
}

export interface PortalTarget {
  url: string;
  token: string;
}

export interface NaiveTally {
  /** Changes Bynder accepted (2xx) before the time box ran out. */
  applied: number;
  /** Requests sent (the emulator's log is the figure reported; this is the deliverer's own count). */
  sent: number;
  elapsedMs: number;
  timedOut: boolean;
}

/** Pause before a naive deliverer sends its failures again: a caller's retry, with no backoff. */
const NAIVE_RESEND_PAUSE_MS = 1_000;

function post(target: PortalTarget, change: AssetChange): Promise<number> {
  return axios
    .post(`${target.url}/api/v4/media/${encodeURIComponent(change.id)}/`, encodeMediaForm(change.form), {
      headers: {
        Authorization: `Bearer ${target.token}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      validateStatus: () => true,
      timeout: 30_000,
    })
    .then(
      (response) => response.status,
      () => 0,
    );
}

const isSuccess = (status: number): boolean => status >= 200 && status < 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one pass over the pending changes did. */
interface Round {
  sent: number;
  applied: number;
  failed: AssetChange[];
}

/**
 * The loop both baselines share: send the pending changes, then send the failures again after a
 * pause, until none fail or the time box runs out. Changes applied after the deadline do not count.
 */
async function resendUntilDone(
  changes: readonly AssetChange[],
  timeBoxMs: number,
  sendRound: (pending: AssetChange[], deadline: number) => Promise<Round>,
): Promise<NaiveTally> {
  const started = performance.now();
  const deadline = started + timeBoxMs;
  let pending = [...changes];
  let applied = 0;
  let sent = 0;
  while (pending.length > 0 && performance.now() < deadline) {
    const round = await sendRound(pending, deadline);
    sent += round.sent;
    applied += round.applied;
    pending = round.failed;
    if (pending.length > 0 && performance.now() < deadline) await sleep(NAIVE_RESEND_PAUSE_MS);
  }
  const elapsedMs = Math.min(performance.now(), deadline) - started;
  return { applied, sent, elapsedMs, timedOut: pending.length > 0 };
}

/** (a) One request after another; failures are collected and sent again after a pause. */
export function deliverSequentially(
  target: PortalTarget,
  changes: readonly AssetChange[],
  timeBoxMs: number,
): Promise<NaiveTally> {
  return resendUntilDone(changes, timeBoxMs, async (pending, deadline) => {
    const round: Round = { sent: 0, applied: 0, failed: [] };
    for (const change of pending) {
      // Past the deadline the rest stay unsent, and so still pending.
      if (performance.now() >= deadline) {
        round.failed.push(change);
        continue;
      }
      round.sent += 1;
      const status = await post(target, change);
      if (!isSuccess(status)) round.failed.push(change);
      else if (performance.now() <= deadline) round.applied += 1;
    }
    return round;
  });
}

/** (b) Everything at once (`Promise.all` over the records, as a thin SDK wrapper leaves it), then the failures again. */
export function deliverByFanOut(
  target: PortalTarget,
  changes: readonly AssetChange[],
  timeBoxMs: number,
): Promise<NaiveTally> {
  return resendUntilDone(changes, timeBoxMs, async (pending, deadline) => {
    const statuses = await Promise.all(pending.map((change) => post(target, change)));
    const inTime = performance.now() <= deadline;
    const failed = pending.filter((_, index) => !isSuccess(statuses[index] ?? 0));
    const applied = inTime ? pending.length - failed.length : 0;
    return { sent: pending.length, applied, failed };
  });
}
