import { type Command, InvalidArgumentError, Option } from 'commander';

import { meetsBatchCostTarget, renderBatchCostTable, runBatchCostBench } from '../../bench/batch-cost';
import type { DelivererName } from '../../bench/bench-job';
import {
  DEFAULT_FIELD_LIST_OPTIONS,
  meetsFieldListTarget,
  renderFieldListTable,
  runFieldListBench,
} from '../../bench/field-list-bench';
import { DEFAULT_HOSTILE_OPTIONS, renderHostileTable, runHostileBench } from '../../bench/hostile-bench';
import { meetsChangeTarget, renderChangeTable, runChangeBench } from '../../bench/change-bench';
import {
  DEFAULT_CREATE_BENCH,
  meetsCreateTarget,
  renderCreateTable,
  runCreateBench,
} from '../../bench/create-bench';
import { meetsTargets, renderResultsTable } from '../../bench/results-table';
import { formatStateRows, measureStateRows, stateRowFailures } from '../../bench/state-row-bench';
import {
  DEFAULT_UPLOAD_BENCH,
  meetsUploadTarget,
  renderUploadTable,
  runUploadBench,
  UPLOAD_RSS_MARGIN_MB,
} from '../../bench/upload-bench';
import { DEFAULT_BENCH_OPTIONS, DELIVERERS, runBench } from '../../bench/run-bench';
import {
  DEFAULT_WORKERS_BENCH,
  meetsWorkersTarget,
  renderWorkersTable,
  runWorkersBench,
} from '../../bench/workers-bench';
import { parseFileSize } from '../../file-host/server';
import { wholeNumberOption } from './whole-number-option';
import { exitCode } from '../exit-codes';

function deliverers(value: string, previous: DelivererName[] | undefined): DelivererName[] {
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(DELIVERERS as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`"${name}" is not a deliverer; choose ${DELIVERERS.join(', ')}.`);
    }
  }
  return [...(previous ?? []), ...(names as DelivererName[])];
}

function percentList(value: string): number[] {
  const percents = value.split(',').map((part) => Number(part.trim()));
  if (percents.some((n) => !Number.isInteger(n) || n < 0 || n > 100)) {
    throw new InvalidArgumentError(
      `"${value}" is not a list of whole percentages from 0 to 100, e.g. 0,10,100.`,
    );
  }
  return percents;
}

function uploadSizes(value: string): string[] {
  const sizes = value.split(',').map((size) => size.trim());
  const wrong = sizes.find((size) => parseFileSize(size) === undefined);
  if (wrong !== undefined) {
    throw new InvalidArgumentError(
      `"${wrong}" is not a file size; give byte counts or sizes such as 1m,100m,1g (at most 64g).`,
    );
  }
  return sizes;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'Measure delivery against the emulator: a naive sequential loop, a naive Promise.all fan-out and ours ' +
        '(BynderAssetSync.deliver()), each in its own process against a fresh emulator with latency and a ' +
        "rate limit scaled from Bynder's; plus validation cost, retry re-sends and memory per batch.",
    )
    .option(
      '--records <n>',
      'changed assets to sync per deliverer',
      wholeNumberOption(1),
      DEFAULT_BENCH_OPTIONS.records,
    )
    .option(
      '--latency-ms <ms>',
      'mean emulator latency per request (±20 % jitter)',
      wholeNumberOption(0),
      DEFAULT_BENCH_OPTIONS.latencyMs,
    )
    .option(
      '--time-box-s <s>',
      'how long each naive deliverer may run',
      wholeNumberOption(1),
      DEFAULT_BENCH_OPTIONS.timeBoxMs / 1000,
    )
    .addOption(
      new Option(
        '--only <deliverer>',
        `run only these deliverers (${DELIVERERS.join(', ')}; repeat or comma-separate)`,
      ).argParser(deliverers),
    )
    .option(
      '--validation-records <n>',
      'records for the no-network validation cost',
      wholeNumberOption(100),
      DEFAULT_BENCH_OPTIONS.validationRecords,
    )
    .option(
      '--changed <percents>',
      'measure change detection instead: the records (default 2,000) synced again with these percentages changed ' +
        '(comma-separated, e.g. 0,10,100), change detection on and off side by side',
      percentList,
    )
    .option(
      '--workers <list>',
      'measure the install-wide budget instead, with these worker counts (e.g. 1,2,4), side by side with 4 workers of per-process pacing',
    )
    .option(
      '--batch-cost',
      'measure only the fixed cost per batch: store calls (kvStore, settings, secrets) of batches of 1, 10 and 100 ' +
        'changed records in steady state, beside the figures recorded before the state-row layer (also part of the default run)',
    )
    .option(
      '--state-rows',
      'measure only every state row at its worst case (100,000 options, 10,000 parked records, each other row past ' +
        'its bound): its largest value against its byte budget, no network (also part of the default run)',
    )
    .option(
      '--create',
      `measure creating assets from files instead: ${DEFAULT_CREATE_BENCH.small} records with 100 KB files and ` +
        `${DEFAULT_CREATE_BENCH.large} with 50 MB files through deliver() and the creation job at the default budget; ` +
        'assets per second, Bynder requests and polls per asset, share of the request budget used (about 4 minutes)',
    )
    .option('--json', 'print the figures as JSON instead of a table')
    .option(
      '--hostile',
      'measure hostile input instead: 50,000 vs 5,000 events for one key (the ratio, side by side), and the ' +
        'field model of a portal with 300 select metaproperties (requests and seconds, with latency)',
    )
    .addOption(
      new Option(
        '--field-list [options]',
        `measure the field list of a large taxonomy instead: the demo portal plus a product-code metaproperty of this ` +
          `many options (default ${DEFAULT_FIELD_LIST_OPTIONS.options.toLocaleString('en-US')}); requests, seconds and ` +
          'kvStore bytes with the cache empty (cold) and filled (warm), and one deliver() batch',
      ).argParser(wholeNumberOption(1)),
    )
    .addOption(
      new Option(
        '--upload [sizes]',
        `measure uploads instead: one file per size (default ${DEFAULT_UPLOAD_BENCH.sizes.join(',')}), streamed from a ` +
          'loopback file host through the upload flow; peak RSS of the uploading process, Bynder requests, wall time',
      ).argParser(uploadSizes),
    )
    .addHelpText(
      'after',
      `\nTargets (exit code ${exitCode('checkFailed')} when one is missed): ours at least 95 % of the budget ceiling (requests / (budget × elapsed)),\n` +
        'no 429, at most 1.02 requests per changed asset (the reads included); validation + encoding at most 20 µs per record; attempt 2 of an\n' +
        'applied batch sends 0 requests; a one-record batch makes at most 12 store calls (kvStore, settings, secrets);\n' +
        'every state row within its byte budget in its worst case.\n' +
        `With --upload: every file saved whole, the largest upload's peak RSS within ${UPLOAD_RSS_MARGIN_MB} MB of the smallest's.\n` +
        'With --create: every record created, each phase using at least 90 % of the request budget.\n' +
        'With --field-list: every cache row within its byte budget, no request to Bynder when warm, every delivered record applied.\n' +
        'Progress goes to stderr; the table or JSON to stdout. See BENCHMARKS.md.',
    )
    .action(
      async (opts: {
        records: number;
        latencyMs: number;
        timeBoxS: number;
        only?: DelivererName[];
        validationRecords: number;
        json?: boolean;
        hostile?: boolean;
        changed?: number[];
        workers?: string;
        upload?: string[] | boolean;
        fieldList?: number | boolean;
        batchCost?: boolean;
        stateRows?: boolean;
        create?: boolean;
      }) => {
        const progress = (line: string) => process.stderr.write(`${line}\n`);
        if (opts.create) {
          const rows = await runCreateBench({ ...DEFAULT_CREATE_BENCH, progress });
          process.stdout.write(
            opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderCreateTable(rows)}\n`,
          );
          if (!meetsCreateTarget(rows)) process.exitCode = exitCode('checkFailed');
          return;
        }
        if (opts.fieldList !== undefined) {
          const settings = {
            ...DEFAULT_FIELD_LIST_OPTIONS,
            latencyMs: opts.latencyMs,
            ...(typeof opts.fieldList === 'number' ? { options: opts.fieldList } : {}),
          };
          const figures = await runFieldListBench({ ...settings, progress });
          process.stdout.write(
            opts.json ? `${JSON.stringify(figures, null, 2)}\n` : `${renderFieldListTable(figures)}\n`,
          );
          if (!meetsFieldListTarget(figures)) process.exitCode = exitCode('checkFailed');
          return;
        }
        const batchCost = () => runBatchCostBench({ throughput: DEFAULT_BENCH_OPTIONS.throughput, progress });
        if (opts.batchCost) {
          const figures = await batchCost();
          process.stdout.write(
            opts.json ? `${JSON.stringify(figures, null, 2)}\n` : `${renderBatchCostTable(figures)}\n`,
          );
          if (!meetsBatchCostTarget(figures)) process.exitCode = exitCode('checkFailed');
          return;
        }
        if (opts.stateRows) {
          const figures = await measureStateRows(progress);
          process.stdout.write(
            opts.json ? `${JSON.stringify(figures, null, 2)}\n` : `${formatStateRows(figures)}\n`,
          );
          if (stateRowFailures(figures).length > 0) process.exitCode = exitCode('checkFailed');
          return;
        }
        if (opts.upload !== undefined) {
          const sizes = Array.isArray(opts.upload) ? opts.upload : DEFAULT_UPLOAD_BENCH.sizes;
          const settings = { ...DEFAULT_UPLOAD_BENCH, latencyMs: opts.latencyMs, sizes };
          const rows = await runUploadBench({ ...settings, progress });
          process.stdout.write(
            opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderUploadTable(rows, settings)}\n`,
          );
          if (!meetsUploadTarget(rows)) process.exitCode = exitCode('checkFailed');
          return;
        }
        if (opts.changed) {
          const figures = await runChangeBench({
            records: opts.records,
            changed: opts.changed,
            latencyMs: opts.latencyMs,
            throughput: DEFAULT_BENCH_OPTIONS.throughput,
            progress,
          });
          process.stdout.write(
            opts.json ? `${JSON.stringify(figures, null, 2)}\n` : `${renderChangeTable(figures)}\n`,
          );
          if (!figures.every(meetsChangeTarget)) process.exitCode = exitCode('checkFailed');
          return;
        }
        if (opts.workers !== undefined) {
          const counts = opts.workers.split(',').map((n) => Number(n.trim()));
          if (counts.some((n) => !Number.isInteger(n) || n < 1)) {
            throw new InvalidArgumentError(`--workers takes whole numbers like 1,2,4, got "${opts.workers}"`);
          }
          const settings = { ...DEFAULT_WORKERS_BENCH };
          const scenarios = [
            ...counts.map((workers) => ({ workers, perProcessPacing: false })),
            { workers: 4, perProcessPacing: true },
          ];
          const rows = await runWorkersBench({ ...settings, scenarios, progress });
          process.stdout.write(
            opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderWorkersTable(rows, settings)}\n`,
          );
          if (!rows.every(meetsWorkersTarget)) process.exitCode = exitCode('checkFailed');
          return;
        }
        if (opts.hostile) {
          const figures = await runHostileBench({ ...DEFAULT_HOSTILE_OPTIONS, progress });
          process.stdout.write(
            opts.json ? `${JSON.stringify(figures, null, 2)}\n` : `${renderHostileTable(figures)}\n`,
          );
          return;
        }
        const report = await runBench({
          ...DEFAULT_BENCH_OPTIONS,
          records: opts.records,
          latencyMs: opts.latencyMs,
          timeBoxMs: opts.timeBoxS * 1000,
          only: opts.only ?? DELIVERERS,
          validationRecords: opts.validationRecords,
          progress,
        });
        const costs = await batchCost();
        const stateRows = await measureStateRows(progress);
        process.stdout.write(
          opts.json
            ? `${JSON.stringify({ ...report, batchCost: costs, stateRows }, null, 2)}\n`
            : `${renderResultsTable(report)}\n\n${renderBatchCostTable(costs)}\n\n${formatStateRows(stateRows)}\n`,
        );
        const stateRowsFail = stateRowFailures(stateRows).length > 0;
        if (!meetsTargets(report) || !meetsBatchCostTarget(costs) || stateRowsFail) {
          process.exitCode = exitCode('checkFailed');
        }
      },
    );
}
