import { readFile } from 'node:fs/promises';

import type { Command } from 'commander';

import { storage } from '@zaiusinc/app-sdk';

import { KV_ROWS } from '../../../src/lib/state/kv-rows';
import { MAX_PARKED_RECORDS, type OutboxContents, readOutbox } from '../../../src/lib/delivery';
import { exitCode } from '../exit-codes';
import { describeFileProblem } from '../file-problem';
import { lastRunFile, readLastRun } from '../last-run';

// `outbox`: what the app has parked for itself to deliver (records OCP will not send again), read
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
      `Show the records parked in the app's outbox (kvStore row ${KV_ROWS.outbox.key}, at most ${MAX_PARKED_RECORDS}) ` +
        'and what was dropped past that: of the last local sync, or of a row saved from OCP (--row)',
    )
    .option(
      '--row <file>',
      `the ${KV_ROWS.outbox.key} row saved as JSON (as support reads it from the kvStore)`,
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
        await storage.kvStore.put(KV_ROWS.outbox.key, row as Record<string, never>);
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
        const row = last.kvStore[KV_ROWS.outbox.key];
        if (row !== undefined) await storage.kvStore.put(KV_ROWS.outbox.key, row as Record<string, never>);
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

export function formatOutbox(outbox: OutboxContents): string {
  const lines = [`Outbox: ${outbox.records.length} of at most ${MAX_PARKED_RECORDS} records parked`];
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
    lines.push(`  dropped past the bound: ${outbox.droppedTotal} (oldest first); latest: ${keys}`);
  }
  return `${lines.join('\n')}\n`;
}
