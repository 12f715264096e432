import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { minutesBetweenRuns, OUTBOX_JOB_CRON, OUTBOX_JOB_EVERY } from '../../src/lib/outbox-schedule';

// The texts saying how often parked records are tried again read the job's schedule from
// src/lib/outbox-schedule.ts; OCP reads it from app.yml. They must be the same.

describe("the outbox job's schedule", () => {
  it('is the cron app.yml gives the deliver_outbox job', () => {
    const manifest = parse(readFileSync('app.yml', 'utf8')) as {
      jobs: { deliver_outbox: { cron: string } };
    };
    expect(OUTBOX_JOB_CRON).toBe(manifest.jobs.deliver_outbox.cron);
  });

  it('is said in words from the cron', () => {
    expect(OUTBOX_JOB_EVERY).toBe('every 15 minutes');
    expect(minutesBetweenRuns('0 */5 * * * ?')).toBe(5);
    expect(() => minutesBetweenRuns('0 0 12 * * ?')).toThrow(/not a Quartz expression running every N/);
  });
});
