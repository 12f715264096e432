import { readFile } from 'node:fs/promises';

import type { Command } from 'commander';

import { storage } from '@zaiusinc/app-sdk';

import { KV_ROWS } from '../../../src/lib/kv-rows';
import { MAX_PARKED_RECORDS, type OutboxContents, readOutbox } from '../../../src/lib/delivery';
import { exitCode } from '../exit-codes';

// `outbox`: what the app has parked for itself to deliver (records OCP will not send again), read
// the way deliver() writes the row. The local stores live in this process only, so without --row it
// shows this process's (empty) outbox; support passes the kvStore row `delivery_outbox` saved as JSON.

interface OutboxFlags {
  row?: string;
  json?: boolean;
}

export function registerOutbox(program: Command): void {
  program
    .command('outbox')
    .description(
      `Show the records parked in the app's outbox (kvStore row ${KV_ROWS.outbox.key}, at most ${MAX_PARKED_RECORDS}) and what was dropped past that`,
    )
    .option(
      '--row <file>',
      `the ${KV_ROWS.outbox.key} row saved as JSON (as support reads it from the kvStore)`,
    )
    .option('--json', 'print the outbox as JSON')
    .action(async (flags: OutboxFlags) => {
      if (flags.row) {
        let row: unknown;
        try {
          row = JSON.parse(await readFile(flags.row, 'utf8'));
        } catch (error) {
          process.stderr.write(
            `--row ${flags.row}: not a readable JSON file (${error instanceof Error ? error.message : String(error)}); save the kvStore row ${KV_ROWS.outbox.key} as JSON and pass its path.\n`,
          );
          process.exitCode = exitCode('notStarted');
          return;
        }
        await storage.kvStore.put(KV_ROWS.outbox.key, row as Record<string, never>);
      }
      const outbox = await readOutbox(storage.kvStore);
      process.stdout.write(flags.json ? `${JSON.stringify(outbox, null, 2)}\n` : formatOutbox(outbox));
    });
}

export function formatOutbox(outbox: OutboxContents): string {
  const lines = [`Outbox: ${outbox.records.length} of at most ${MAX_PARKED_RECORDS} records parked`];
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
