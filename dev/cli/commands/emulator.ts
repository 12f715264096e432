import { type Command, InvalidArgumentError, Option } from 'commander';

import { describeShortCredential } from '../../../src/lib/config';
import { startEmulator, type EmulatorOptions, type FaultRule } from '../../bynder-emulator/server';
import { withProductCodes } from '../../bynder-emulator/product-codes';
import { DEMO_PORTAL_PATH, loadSeed } from '../../bynder-emulator/seed';
import { DEFAULT_TOKEN } from '../../bynder-emulator/token-store';
import { wholeNumberOption } from './whole-number-option';

interface EmulatorFlags {
  port: number;
  host: string;
  seed: string;
  productCodes?: number;
  token: string;
  client?: string;
  tokenTtl?: number;
  rateLimit: boolean;
  rateLimitMax?: number;
  rateWindowMs?: number;
  quietMs?: number;
  latency?: number;
  jitter?: number;
  applyDelay?: number;
  conversionDelay?: number;
  s3Host?: string;
  s3Port?: number;
  strict?: boolean;
  faultRate?: number;
  faultStatus: number;
}

const toInt = wholeNumberOption(0);
const toFraction = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw new InvalidArgumentError('expected a number from 0 to 1');
  }
  return parsed;
};

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description('Run the Bynder API emulator on loopback until Ctrl-C (see docs/emulator.md).')
    .option('--port <port>', 'port to listen on (0 picks a free one)', toInt, 4010)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--seed <file>', 'seed JSON: {metaproperties, assets}', DEMO_PORTAL_PATH)
    .option(
      '--product-codes <n>',
      'add a select metaproperty "product_code" with n options (PRD-000000, ...) to the seed: a large taxonomy',
      toInt,
    )
    .option('--token <token>', 'the permanent Bearer token it accepts', credentialOption, DEFAULT_TOKEN)
    .option('--client <id:secret>', 'also accept this OAuth client-credentials client')
    .option('--token-ttl <seconds>', 'lifetime of OAuth tokens (default 3600)', toInt)
    .addOption(new Option('--no-rate-limit', 'switch the per-client rate limit off'))
    .option('--rate-limit-max <n>', 'requests per window (default 4500)', toInt)
    .option('--rate-window-ms <ms>', 'sliding window (default 300000)', toInt)
    .option('--quiet-ms <ms>', 'quiet period that lifts a block (default 300000)', toInt)
    .option('--latency <ms>', 'added latency on every request', toInt)
    .option('--jitter <ms>', 'random extra latency 0..ms', toInt)
    .option('--apply-delay <ms>', 'delay before a 202 modify becomes visible (default 0)', toInt)
    .option(
      '--conversion-delay <ms>',
      'how long an upload converts before the poll lists it (default 2000)',
      toInt,
    )
    .option('--s3-host <host>', 'interface of the S3 stand-in the upload chunks go to (default 127.0.0.2)')
    .option('--s3-port <port>', 'port of the S3 stand-in (default 0, any free one)', toInt)
    .option('--strict', 'EMULATOR-ONLY: answer unknown modify keys, ids and JSON bodies with 400')
    .option('--fault-rate <fraction>', 'fraction of requests answered with --fault-status', toFraction)
    .option('--fault-status <code>', 'status of injected faults', toInt, 503)
    .action(async (flags: EmulatorFlags) => {
      const emulator = await startEmulator(toOptions(flags));
      const out = process.stdout;
      out.write(`Bynder emulator listening on ${emulator.url}\n`);
      out.write(`S3 stand-in for uploads on ${emulator.s3Url}\n`);
      out.write(`Permanent token: ${emulator.token}  (send "Authorization: Bearer ${emulator.token}")\n`);
      // The client secret was typed by the user; it is never echoed back.
      if (flags.client) {
        out.write(
          `OAuth client: ${flags.client.split(':')[0]} at ${emulator.url}/v6/authentication/oauth2/token\n`,
        );
      }
      const { metaproperties, assets } = emulator.snapshot();
      out.write(
        `Seed ${flags.seed}: ${Object.keys(metaproperties).length} metaproperties, ${assets.length} assets\n`,
      );
      const warnings = emulator.seedWarnings();
      if (warnings.length > 0) out.write(`Seed warnings (${warnings.length}), first: ${warnings[0]}\n`);
      out.write(`Admin: ${emulator.url}/__emulator/state  ·  Ctrl-C stops\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await emulator.stop();
      out.write('Bynder emulator stopped\n');
    });
}

/** The app refuses shorter credentials, so the emulator accepts none it could never be sent. */
function credentialOption(value: string): string {
  const short = describeShortCredential(value);
  if (short !== undefined) throw new InvalidArgumentError(`the token ${short}`);
  return value;
}

function toOptions(flags: EmulatorFlags): EmulatorOptions {
  const options: EmulatorOptions = {
    port: flags.port,
    host: flags.host,
    seed:
      flags.productCodes === undefined
        ? flags.seed
        : withProductCodes(loadSeed(flags.seed), flags.productCodes),
    tokens: [{ token: flags.token }],
  };
  if (flags.client) {
    const colon = flags.client.indexOf(':');
    if (colon <= 0) {
      throw new InvalidArgumentError(
        '--client expects <id:secret>, e.g. --client demo-client-3f8a2c6e:demo-secret-b71d94e05a2c',
      );
    }
    for (const [what, value] of [
      ['client id', flags.client.slice(0, colon)],
      ['client secret', flags.client.slice(colon + 1)],
    ] as const) {
      const short = describeShortCredential(value);
      if (short !== undefined) throw new InvalidArgumentError(`--client: the ${what} ${short}`);
    }
    options.oauthClients = [
      {
        clientId: flags.client.slice(0, colon),
        clientSecret: flags.client.slice(colon + 1),
        ...(flags.tokenTtl !== undefined ? { tokenTtlSeconds: flags.tokenTtl } : {}),
      },
    ];
  }
  if (!flags.rateLimit) options.rateLimit = false;
  else if (
    flags.rateLimitMax !== undefined ||
    flags.rateWindowMs !== undefined ||
    flags.quietMs !== undefined
  ) {
    options.rateLimit = {
      limit: flags.rateLimitMax ?? 4500,
      windowMs: flags.rateWindowMs ?? 300_000,
      quietMs: flags.quietMs ?? 300_000,
    };
  }
  if (flags.latency !== undefined || flags.jitter !== undefined) {
    options.latency = { ms: flags.latency ?? 0, jitterMs: flags.jitter ?? 0 };
  }
  if (flags.applyDelay !== undefined) options.applyDelayMs = flags.applyDelay;
  if (flags.conversionDelay !== undefined) options.conversionDelayMs = flags.conversionDelay;
  if (flags.s3Host !== undefined) options.s3Host = flags.s3Host;
  if (flags.s3Port !== undefined) options.s3Port = flags.s3Port;
  if (flags.strict) options.strict = true;
  if (flags.faultRate) {
    const rule: FaultRule = { match: '/api/*', status: flags.faultStatus, rate: flags.faultRate };
    options.faults = [rule];
  }
  return options;
}
