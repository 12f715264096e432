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
export const NAIVE_RESEND_PAUSE_MS = 1_000;

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

/** (a) One request after another; failures are collected and sent again after a pause. */
export async function deliverSequentially(
  target: PortalTarget,
  changes: readonly AssetChange[],
  timeBoxMs: number,
): Promise<NaiveTally> {
  const started = performance.now();
  const deadline = started + timeBoxMs;
  let pending = [...changes];
  let applied = 0;
  let sent = 0;
  while (pending.length > 0 && performance.now() < deadline) {
    const failed: AssetChange[] = [];
    for (const change of pending) {
      if (performance.now() >= deadline) {
        failed.push(change);
        continue;
      }
      sent += 1;
      const status = await post(target, change);
      if (isSuccess(status) && performance.now() <= deadline) applied += 1;
      else if (!isSuccess(status)) failed.push(change);
    }
    pending = failed;
    if (pending.length > 0 && performance.now() < deadline) await sleep(NAIVE_RESEND_PAUSE_MS);
  }
  const elapsedMs = Math.min(performance.now(), deadline) - started;
  return { applied, sent, elapsedMs, timedOut: pending.length > 0 };
}

/** (b) Everything at once (`Promise.all` over the records, as a thin SDK wrapper leaves it), then the failures again. */
export async function deliverByFanOut(
  target: PortalTarget,
  changes: readonly AssetChange[],
  timeBoxMs: number,
): Promise<NaiveTally> {
  const started = performance.now();
  const deadline = started + timeBoxMs;
  let pending = [...changes];
  let applied = 0;
  let sent = 0;
  while (pending.length > 0 && performance.now() < deadline) {
    sent += pending.length;
    const statuses = await Promise.all(pending.map((change) => post(target, change)));
    const now = performance.now();
    const failed: AssetChange[] = [];
    statuses.forEach((status, index) => {
      const change = pending[index];
      if (!change) return;
      if (!isSuccess(status)) failed.push(change);
      else if (now <= deadline) applied += 1;
    });
    pending = failed;
    if (pending.length > 0 && performance.now() < deadline) await sleep(NAIVE_RESEND_PAUSE_MS);
  }
  const elapsedMs = Math.min(performance.now(), deadline) - started;
  return { applied, sent, elapsedMs, timedOut: pending.length > 0 };
}
