// When OCP runs the outbox's job (app.yml, `jobs.deliver_outbox.cron`, a Quartz expression:
// seconds, minutes, hours, day of month, month, day of week). Texts that tell a person how often
// parked records are tried again take the interval from here, so they cannot drift from the
// manifest; a test checks this constant against app.yml.

export const OUTBOX_JOB_CRON = '0 0/15 * * * ?';

/** The minutes between two runs of a Quartz expression that runs every N minutes (`0 0/N * * * ?`). */
export function minutesBetweenRuns(cron: string): number {
  const match = /^0 (?:0|\*)\/(\d+) \* \* \* \?$/.exec(cron);
  if (!match?.[1]) throw new Error(`"${cron}" is not a Quartz expression running every N minutes`);
  return Number(match[1]);
}

/** How often the outbox's job runs, in words: "every 15 minutes". */
export const OUTBOX_JOB_EVERY = `every ${minutesBetweenRuns(OUTBOX_JOB_CRON)} minutes`;
