#!/usr/bin/env node
// `npm run test:real-sdk`: every check of `npm test`, plus the SDK's own `validate`, against the
// real @zaiusinc/app-sdk instead of the stand-in in dev/app-sdk. The registry this project builds
// with does not serve the package, so a packed build of it (a .tgz whose top folder is the package)
// is unpacked into a scratch copy of the project, made in the system's temporary folder: the
// working copy is never touched (every tool switches to the real package as soon as
// node_modules/@zaiusinc/app-sdk exists) and may be read-only. The scratch copy holds the
// project's files as they are on disk (tracked and untracked, not ignored ones) and a
// node_modules whose entries link to this project's installed packages, beside the unpacked SDK.
//
// The last line is the plain count "N passed, N failed" (", N skipped" when tests were skipped):
// vitest's tests, plus one failure per failed check. Exit status 0 only when nothing failed.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
/** Where the packed SDK sits for this project's CI: a `shared/` folder beside the repository. */
const DEFAULT_SDK_DIR = path.resolve(root, '../shared/real-sdk');

const HELP = `Usage: npm run test:real-sdk -- [options] [vitest filters...]

Runs npm test (typecheck, lint, format, layers, vitest) and the SDK's own validate
(node node_modules/@zaiusinc/app-sdk/dist/cli.js validate) against the real @zaiusinc/app-sdk,
in a scratch copy of this project under ${tmpdir()}. The working copy is not changed.

Options:
  --sdk PATH   the packed SDK: a .tgz, or a folder holding exactly one app-sdk-*.tgz
               (default: ${path.relative(process.cwd(), DEFAULT_SDK_DIR) || '.'}, or $REAL_SDK)
  --keep       keep the scratch copy and print where it is (to rerun a check by hand)
  -h, --help   this text

Filters after the options go to vitest, e.g. \`npm run test:real-sdk -- test/unit\`.
Ends with "N passed, N failed"; exits non-zero when any check or test failed.`;

/** The scratch copy, removed on every way out unless --keep. */
let scratchToRemove;

function fail(message) {
  if (scratchToRemove) rmSync(scratchToRemove, { recursive: true, force: true });
  process.stderr.write(`test:real-sdk: ${message}\n`);
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exit(1);
}

/** The packed SDK: the .tgz given, or the only app-sdk-*.tgz in the folder given. */
function findPackage(given) {
  if (!existsSync(given)) {
    fail(`no packed SDK at ${given}. Pass --sdk PATH (a .tgz or its folder) or set REAL_SDK.`);
  }
  if (statSync(given).isFile()) return given;
  const packs = readdirSync(given).filter((name) => /^app-sdk-.*\.tgz$/.test(name));
  if (packs.length !== 1) {
    fail(
      `${given} holds ${packs.length} app-sdk-*.tgz files (${packs.join(', ') || 'none'}); expected one. Pass --sdk FILE.tgz.`,
    );
  }
  return path.join(given, packs[0]);
}

/** The project's files as on disk: tracked and untracked, not ignored (so no node_modules, dist). */
function copyProject(to) {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (listed.status !== 0) fail(`git ls-files failed in ${root}: ${listed.stderr.trim()}`);
  let copied = 0;
  for (const file of new Set(listed.stdout.split('\0').filter(Boolean))) {
    const from = path.join(root, file);
    if (!existsSync(from)) continue; // deleted in the working copy, not yet committed
    cpSync(from, path.join(to, file), { recursive: false, verbatimSymlinks: true });
    copied += 1;
  }
  return copied;
}

/**
 * node_modules for the scratch copy: a link to each installed package of the project, except
 * @zaiusinc/, which becomes a folder of links plus the unpacked SDK. Caches tools keep inside
 * node_modules (.vite, .cache) are left out so the scratch run writes its own.
 */
function linkModules(to, sdkPackage) {
  const installed = path.join(root, 'node_modules');
  if (!existsSync(installed)) fail(`${installed} is missing: run npm ci first.`);
  const modules = path.join(to, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(installed)) {
    if (entry === '@zaiusinc' || entry === '.vite' || entry === '.cache') continue;
    symlinkSync(path.join(installed, entry), path.join(modules, entry));
  }
  const scope = path.join(modules, '@zaiusinc');
  mkdirSync(scope);
  const installedScope = path.join(installed, '@zaiusinc');
  for (const entry of existsSync(installedScope) ? readdirSync(installedScope) : []) {
    if (entry !== 'app-sdk') symlinkSync(path.join(installedScope, entry), path.join(scope, entry));
  }
  const unpacked = mkdtempSync(path.join(to, '.sdk-'));
  const tar = spawnSync('tar', ['-xzf', sdkPackage, '-C', unpacked], { encoding: 'utf8' });
  if (tar.status !== 0) fail(`could not unpack ${sdkPackage}: ${tar.stderr.trim()}`);
  const [top] = readdirSync(unpacked);
  const manifest = path.join(unpacked, top ?? '', 'package.json');
  if (!top || !existsSync(manifest)) fail(`${sdkPackage} holds no package folder with a package.json.`);
  const { name, version } = JSON.parse(readFileSync(manifest, 'utf8'));
  if (name !== '@zaiusinc/app-sdk') fail(`${sdkPackage} holds ${name}, not @zaiusinc/app-sdk.`);
  renameSync(path.join(unpacked, top), path.join(scope, 'app-sdk'));
  rmSync(unpacked, { recursive: true, force: true });
  return version;
}

/**
 * Runs a command in the scratch copy, its output shown as it comes; answers its exit status and
 * the last lines of its standard output (where the count line is).
 */
function run(cwd, command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ['inherit', 'pipe', 'inherit'],
      env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4096);
    });
    child.on('error', (error) => resolve({ status: 1, stdout: `${tail}\n${error.message}` }));
    child.on('close', (code) => resolve({ status: code ?? 1, stdout: tail }));
  });
}

/** The counts of a "N passed, N failed[, N skipped]" line, or undefined when there is none. */
function parseCounts(output) {
  const lines = output.trimEnd().split('\n');
  const match = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/.exec(lines.at(-1)?.trim() ?? '');
  if (!match) return undefined;
  return { passed: Number(match[1]), failed: Number(match[2]), skipped: Number(match[3] ?? 0) };
}

async function main() {
  const { values, positionals } = parseArgs({
    options: {
      sdk: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const sdkPackage = findPackage(path.resolve(values.sdk ?? process.env.REAL_SDK ?? DEFAULT_SDK_DIR));
  const sha256 = createHash('sha256').update(readFileSync(sdkPackage)).digest('hex');
  const scratch = mkdtempSync(path.join(tmpdir(), 'bynder-real-sdk-'));
  if (!values.keep) scratchToRemove = scratch;
  const cleanUp = () => {
    if (scratchToRemove) rmSync(scratchToRemove, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    const files = copyProject(scratch);
    const version = linkModules(scratch, sdkPackage);
    process.stdout.write(
      `Real @zaiusinc/app-sdk ${version} (${path.relative(root, sdkPackage)}, sha256 ${sha256.slice(0, 16)}…)\n` +
        `Scratch copy: ${scratch} (${files} files; node_modules linked to ${path.join(root, 'node_modules')})\n`,
    );

    process.stdout.write('\n══ npm test, real SDK ══\n');
    const suite = await run(scratch, 'node', ['scripts/test.mjs', ...positionals], true);
    const counts = parseCounts(suite.stdout) ?? { passed: 0, failed: 1, skipped: 0 };
    if (suite.status !== 0 && counts.failed === 0) counts.failed = 1;

    process.stdout.write("\n── the SDK's own validate ──\n");
    // It reads the built app (dist/), which npm test does not leave behind: its validate test builds
    // into a temporary folder.
    const built = await run(scratch, 'node', ['scripts/build.mjs']);
    const validate =
      built.status === 0
        ? await run(scratch, 'node', ['node_modules/@zaiusinc/app-sdk/dist/cli.js', 'validate'])
        : built;
    if (validate.status !== 0) {
      counts.failed += 1;
      process.stdout.write("✗ the SDK's validate failed\n");
    } else {
      process.stdout.write("✓ the SDK's validate\n");
    }

    if (values.keep) process.stdout.write(`\nKept the scratch copy: ${scratch}\n`);
    const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed${skipped}\n`);
    process.exitCode = counts.failed === 0 ? 0 : 1;
  } finally {
    cleanUp();
  }
}

await main();
