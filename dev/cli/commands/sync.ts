import type { Command } from 'commander';

import { DEFAULT_PROGRESS_INTERVAL_MS } from '../sync/summary/progress-reporter';
import { DEFAULT_RUNS_DIR, KEPT_RUNS } from '../sync/run-folder';
import { exitCode, exitCodeSummary } from '../exit-codes';
import { runSyncCommand } from '../sync/sync-command';

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description(
      'Run a sync the way the OCP Sync Manager does: read a CSV or JSON Lines file, map its columns to the ' +
        "app's destination fields, save settings through the app's settings form, then ready() and deliver() " +
        'batch by batch. Targets the embedded Bynder emulator unless --portal is given. See docs/runner.md.',
    )
    .requiredOption(
      '--source <file>',
      'records to sync: .csv (header row) or .jsonl/.ndjson (one object per line)',
    )
    .option('--format <format>', 'csv or jsonl, when the file extension does not say')
    .option(
      '--delimiter <char>',
      'CSV cell delimiter: one character, or comma, semicolon, tab or pipe (default: detected from the header row)',
    )
    .option(
      '--mapping <file>',
      'YAML map of "source column: destination field" (default: match columns by field name)',
    )
    .option(
      '--allow-missing-columns',
      'sync even when the mapping file names columns the source does not have (they are listed; default: refuse)',
    )
    .option('--batch-size <n>', 'records per deliver() call', '100')
    .option(
      '--seed <file>',
      'emulator seed, a portal as JSON (default: examples/portal.json, the demo portal)',
    )
    .option(
      '--portal <url>',
      'a real Bynder portal instead of the emulator; credentials from BYNDER_TOKEN or BYNDER_CLIENT_ID + BYNDER_CLIENT_SECRET',
    )
    .option('--settings <file>', 'YAML with the settings form sections (connection, records, throughput)')
    .option('--delete-policy <policy>', 'archive, delete or ignore')
    .option('--empty-values <mode>', 'leave or clear')
    .option('--unknown-options <mode>', 'reject or drop')
    .option('--requests-per-second <n>', 'request budget, 1 to 15')
    .option('--max-in-flight <n>', 'concurrent requests, 1 to 10')
    .option('--change-detection <mode>', 'read_first (read the assets, write only what differs) or write_all')
    .option('--primary-key <kind>', 'asset_id or external_key')
    .option(
      '--external-key-metaproperty <name>',
      'the text metaproperty to match on when --primary-key external_key',
    )
    .option(
      '--retry-pause-ms <ms>',
      'pause before re-delivering a retryable batch (doubles each retry)',
      '500',
    )
    .option(
      '--max-block-wait-ms <ms>',
      'longest pause honoured for a Bynder rate-limit block the app reports',
      '360000',
    )
    .option(
      '--rejections-file <file>',
      'where to write every rejection as JSON Lines (default: in the run directory)',
    )
    .option('--dump-state <file>', "write the emulator's final state (after pending writes land) as JSON")
    .option(
      '--workers <n>',
      "deliver from this many worker processes at once, sharing only the app's stores, as OCP's workers do (default: deliver() in this process)",
    )
    .option(
      '--log-dir <dir>',
      `where each run keeps its app.log and rejections.jsonl, one folder per run; the latest ${KEPT_RUNS} are kept`,
      DEFAULT_RUNS_DIR,
    )
    .option(
      '--progress-interval <ms>',
      'off a terminal: least time between two progress lines (0: a line per accepted write)',
      String(DEFAULT_PROGRESS_INTERVAL_MS),
    )
    .option(
      '--dry-run',
      'plan, read and compare every record with what Bynder holds, and write nothing: the summary says what the sync would do (reads only, through the request budget)',
    )
    .option(
      '--fail-on-rejections',
      `exit ${exitCode('rejections')} when any record is rejected (or, with --dry-run, would be): for CI jobs over a source file`,
    )
    .option('--json', 'print the summary as JSON on stdout (nothing else goes to stdout)')
    .addHelpText(
      'after',
      `
Ctrl-C (or SIGTERM) stops the run: no new batch starts, the batches in flight finish, and the summary
counts every record not sent as pending; the exit code is then ${exitCode('interrupted')}. A second Ctrl-C quits at once.

Exit codes: ${exitCodeSummary()} (docs/runner.md, "Exit codes").

Check a source file in CI without writing to Bynder:
  npm run cli -- sync --source products.csv --portal https://acme.bynder.com --dry-run --fail-on-rejections`,
    )
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const code = await runSyncCommand(options);
      // A cancelled run may leave timers behind (a retry pause, the app's own waits): end now.
      if (code === exitCode('interrupted')) process.exit(code);
      process.exitCode = code;
    });
}
