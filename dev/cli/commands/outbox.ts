import { readFile } from 'node:fs/promises';

import type { Command } from 'commander';

import { storage } from '@zaiusinc/app-sdk';

import { KV_ROWS } from '../../../src/lib/state/kv-rows';
import {
  OUTBOX_SHARD_BYTES,
  OUTBOX_SHARDS,
  type OutboxContents,
  readOutbox,
  slotKey,
} from '../../../src/lib/delivery';
import { exitCode } from '../exit-codes';
import { describeFileProblem } from '../file-problem';
import { lastRunFile, readLastRun } from '../last-run';

// `outbox`: what the app has parked for itself to deliver (records OCP will not send again), and
// the records it keeps because Bynder's state rejected them (sent again once that changes), read
// the way deliver() writes the row. A local run's stores live only as long as its process, so
// `sync` saves them when it ends (last-run.ts) and this shows the last run's outbox; support passes
// the kvStore row `delivery_outbox` saved as JSON with --row.

interface OutboxFlags {
  row?: string;
  json?: boolean;
}

export function registerOutbox(program: Command): void {
  program
    .command('outbox')
    .description(
      `Show the records parked in the app's outbox (kvStore row ${KV_ROWS.outbox.key} and its ${OUTBOX_SHARDS} shard rows ` +
        `${slotKey(0)}..., at most ${OUTBOX_SHARD_BYTES.toLocaleString('en-US')} bytes each) and what was dropped past ` +
        'that: of the last local sync, or of rows saved from OCP (--row)',
    )
    .option(
      '--row <file>',
      `the ${KV_ROWS.outbox.key} row saved as JSON (as support reads it from the kvStore), or an object of ` +
        `rows by key ({"${KV_ROWS.outbox.key}": {...}, "${slotKey(0)}": {...}}) for the shard rows too`,
    )
    .option('--json', 'print the outbox as JSON')
    .addHelpText(
      'after',
      `
Without --row it reads the stores the last \`npm run cli -- sync\` left, saved when it ended in
  ${lastRunFile()}
(BYNDER_LAST_RUN_FILE moves it).`,
    )
    .action(async (flags: OutboxFlags) => {
      let origin: string;
      if (flags.row) {
        let row: unknown;
        try {
          row = JSON.parse(await readFile(flags.row, 'utf8'));
        } catch (error) {
          const why =
            error instanceof SyntaxError
              ? `--row "${flags.row}" is not JSON (${error.message})`
              : describeFileProblem('--row', flags.row, error);
          process.stderr.write(
            `${why}; save the kvStore row ${KV_ROWS.outbox.key} as JSON and pass its path.\n`,
          );
          process.exitCode = exitCode('notStarted');
          return;
        }
        await putOutboxRows(isRowsByKey(row) ? row : { [KV_ROWS.outbox.key]: row });
        origin = `the row in ${flags.row}`;
      } else {
        const file = lastRunFile();
        const last = await readLastRun(file);
        if (!last) {
          process.stdout.write(
            `No local sync has saved its stores yet (they would be in ${file}). Run \`npm run cli -- sync --source FILE\`, ` +
              `then this again; or pass --row FILE with the kvStore row ${KV_ROWS.outbox.key} saved as JSON.\n`,
          );
          return;
        }
        await putOutboxRows(last.kvStore);
        origin = `the last local sync: ${last.source} -> ${last.target}, ended ${last.finishedAt} (stores saved in ${file})`;
      }
      const outbox = await readOutbox(storage.kvStore);
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ origin, ...outbox }, null, 2)}\n`
          : `From ${origin}\n${formatOutbox(outbox)}`,
      );
    });
}

/** The outbox's rows among `rows` (keyed by kvStore key), into the local store deliver() reads. */
async function putOutboxRows(rows: Record<string, unknown>): Promise<void> {
  for (const [key, row] of Object.entries(rows)) {
    const isOutbox = key === KV_ROWS.outbox.key || key.startsWith(`${KV_ROWS.outbox.key}_`);
    if (isOutbox && typeof row === 'object' && row !== null) {
      await storage.kvStore.put(key, row as Record<string, never>);
    }
  }
}

/** Whether a saved file holds several rows by key rather than the head row itself. */
function isRowsByKey(row: unknown): row is Record<string, unknown> {
  return typeof row === 'object' && row !== null && Object.hasOwn(row, KV_ROWS.outbox.key);
}

export function formatOutbox(outbox: OutboxContents): string {
  const count = outbox.records.length;
  const lines = [`Outbox: ${count} record${count === 1 ? '' : 's'} parked`];
  if (outbox.records.length === 0) {
    lines[0] += ': nothing is waiting for the app to deliver it';
  }
  for (const r of outbox.records.slice(0, 50)) {
    lines.push(
      `  ${new Date(r.parkedAt).toISOString()}  ${r.key ?? '(key not read)'}  sync ${r.sync}: ${r.cause}`,
    );
  }
  if (outbox.records.length > 50) {
    lines.push(`  ... and ${outbox.records.length - 50} more (--json lists all)`);
  }
  if (outbox.droppedTotal > 0) {
    const keys = outbox.dropped.map((d) => d.key ?? '(key not read)').join(', ');
    lines.push(
      `  DROPPED, the outbox was full: ${outbox.droppedTotal} records lost (the oldest of their row); latest: ${keys}`,
    );
  }
  const kept = outbox.kept.length;
  if (kept > 0 || outbox.keptDroppedTotal > 0) {
    lines.push(
      `Kept for a retry: ${kept} record${kept === 1 ? '' : 's'} rejected because of Bynder's state, sent again once it changes`,
    );
  }
  for (const r of outbox.kept.slice(0, 50)) {
    const tries = r.tries ? ` (tried again ${r.tries}x)` : '';
    lines.push(
      `  ${new Date(r.parkedAt).toISOString()}  ${r.key ?? '(key not read)'}  sync ${r.sync}, waits for ${r.keptFor === 'asset' ? 'its asset' : 'an option'}${tries}: ${r.cause}`,
    );
  }
  if (kept > 50) lines.push(`  ... and ${kept - 50} more (--json lists all)`);
  if (outbox.keptDroppedTotal > 0) {
    lines.push(`  NOT KEPT, past the bound for kept records: ${outbox.keptDroppedTotal} records`);
  }
  return `${lines.join('\n')}\n`;
}
