import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';

import { DEMO_PORTAL_PATH } from '../../dev/bynder-emulator/seed';
import { startUi, type RunningUi } from '../../dev/ui/ui-server';

// The local Sync Manager page (`npm run cli -- ui`) driven in a real Chromium: the settings form
// answered by the app's Lifecycle, the demo CSV mapped with the demo mapping file, and a run whose
// final counts must equal those of `sync --json` on the same input. Without Chromium the tests are
// reported as skipped, with the reason in their name; CI installs Chromium (.ci/run) so they run.
// UI_SCREENSHOTS_DIR=docs/ui also saves a screenshot of each screen there (npm run screenshots:ui).

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.UI_SCREENSHOTS_DIR;
const DEMO = {
  source: path.join(ROOT, 'examples/assets.csv'),
  mapping: path.join(ROOT, 'examples/mapping.yml'),
};
/** The form's highest budget and small batches, on both sides, so each run takes about 20 seconds. */
const THROUGHPUT = { requests_per_second: '15', max_in_flight: '10' };
const BATCH_SIZE = '50';
const COUNTS = [
  'records',
  'applied',
  'deleted',
  'ignoredDeletes',
  'unchanged',
  'rejected',
  'pending',
  'parked',
] as const;

interface CliSummary extends Record<(typeof COUNTS)[number], number> {
  rejections: Array<{ line: number; key: string; field: string; reason: string }>;
  /** The Activity Log notices the app sent, once the runner's summary carries them. */
  notifications?: Array<{ title: string }>;
}

const chromiumFound = existsSync(CHROMIUM);
const SKIP_REASON = `browser tests skipped: no Chromium at ${CHROMIUM} (install it with "apt-get install -y chromium", or set CHROMIUM_PATH)`;
if (!chromiumFound) process.stderr.write(`${SKIP_REASON}\n`);
// CI sets this: there a missing browser is a broken setup, not a reason to skip.
if (!chromiumFound && process.env.REQUIRE_BROWSER_TESTS === '1') {
  throw new Error(`REQUIRE_BROWSER_TESTS=1 but ${SKIP_REASON}`);
}

/** Marks the test skipped, with the reason as its note, when there is no browser to drive. */
const needsChromium = (context: TestContext) => context.skip(!chromiumFound, SKIP_REASON);

describe('local Sync Manager page in Chromium', () => {
  let ui: RunningUi;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  let cliSummary: Promise<CliSummary>;
  let cliProcess: ChildProcess | undefined;

  beforeAll(async () => {
    if (!chromiumFound) return;
    // The CLI's run of the same input goes on in parallel with the browser's.
    const cli = promisify(execFile)(
      TSX,
      [
        'dev/cli/main.ts',
        'sync',
        ...['--source', DEMO.source, '--mapping', DEMO.mapping, '--batch-size', BATCH_SIZE],
        ...['--requests-per-second', THROUGHPUT.requests_per_second],
        ...['--max-in-flight', THROUGHPUT.max_in_flight, '--json'],
      ],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'NEVER' }, maxBuffer: 16 * 1024 * 1024 },
    );
    cliProcess = cli.child;
    cliSummary = cli.then(({ stdout }) => JSON.parse(stdout) as CliSummary);
    cliSummary.catch(() => undefined); // awaited in the run test; no unhandled rejection meanwhile

    ui = await startUi({ port: 0, seed: DEMO_PORTAL_PATH });
    profile = await mkdtemp(path.join(os.tmpdir(), 'ui-chromium-'));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    // Anything the page asks of another origin fails the test: it must work offline.
    await page.route(
      (url) => url.origin !== new URL(ui.url).origin,
      (route) => route.abort(),
    );
    page.on('requestfailed', (request) => {
      if (!request.url().startsWith(ui.url)) throw new Error(`the page reached out to ${request.url()}`);
    });
    if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    // A run of only some of the tests leaves the CLI's sync going: it is not needed any more.
    if (cliProcess?.exitCode === null) cliProcess.kill();
    await browser?.close();
    await ui?.stop();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  const shoot = async (name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const section = (key: string) => page.locator(`[data-section="${key}"]`);

  it('settings: a wrong token gets its field error, the right one the success toast; no secret comes back', async (context) => {
    needsChromium(context);
    await page.goto(`${ui.url}/#settings`);
    const connection = section('connection');
    await connection.locator('#use-emulator').click();
    await expect.poll(() => connection.locator('[name="portal"]').inputValue()).toBe(ui.emulator.url);
    await connection.locator('[name="token"]').fill('wrong-token-value');
    await connection.locator('button[data-action="save"]').click();
    const tokenError = connection.locator('[data-error-for="token"]');
    await tokenError.waitFor({ state: 'visible' });
    expect(await tokenError.textContent()).toContain('refused the permanent token (401)');

    // The Test connection button answers without saving; then Save keeps the connection.
    await connection.locator('[name="token"]').fill(ui.emulator.token);
    await connection.locator('button[data-action="test_connection"]').click();
    await page.locator('.toast.success', { hasText: 'Nothing is saved yet' }).waitFor();
    await connection.locator('[name="token"]').fill(ui.emulator.token);
    await connection.locator('button[data-action="save"]').click();
    await page.locator('.toast.success', { hasText: 'with the permanent token and saved' }).waitFor();
    expect(await tokenError.isHidden()).toBe(true);
    // The secret left with the submit: the field is empty again and the page holds it nowhere.
    expect(await connection.locator('[name="token"]').inputValue()).toBe('');
    await expect
      .poll(() => connection.locator('[name="token"]').getAttribute('placeholder'))
      .toContain('stored; leave empty to keep it');
    const html = await page.content();
    expect(html).not.toContain(ui.emulator.token);
    expect(html).not.toContain('wrong-token-value');

    // The form's own validation, then the budget both runs use.
    const throughput = section('throughput');
    await throughput.locator('[name="requests_per_second"]').fill('99');
    await throughput.locator('button[data-action="save"]').click();
    await throughput.locator('[data-error-for="requests_per_second"]', { hasText: '1 to 15' }).waitFor();
    await throughput.locator('[name="requests_per_second"]').fill(THROUGHPUT.requests_per_second);
    await throughput.locator('[name="max_in_flight"]').fill(THROUGHPUT.max_in_flight);
    await throughput.locator('button[data-action="save"]').click();
    await page.locator('.toast.success', { hasText: 'requests per second' }).waitFor();
    await page.locator('#section-connection').scrollIntoViewIfNeeded();
    await shoot('settings');
  });

  it('new sync: the demo CSV mapped with the demo mapping file, as the CLI maps it', async (context) => {
    needsChromium(context);
    await page.goto(`${ui.url}/#new-sync`);
    await page.locator('#fields tbody tr').first().waitFor();
    expect(await page.locator('#fields').textContent()).toContain('primary key');
    await page.setInputFiles('#source-file', DEMO.source);
    await page.locator('#mapping tbody tr').first().waitFor();
    await page.setInputFiles('#mapping-file', DEMO.mapping);
    await expect.poll(() => page.locator('select[data-column="Title"]').inputValue()).toBe('name');
    expect(await page.locator('select[data-column="Internal ref"]').inputValue()).toBe('');
    expect(await page.locator('select[data-column="Deleted"]').inputValue()).toBe('_isDeleted');
    await expect
      .poll(() => page.locator('#mapping-status').textContent())
      .toContain('15 columns mapped; 1 not sent');
    await page.locator('#save-mapping').click();
    await page.locator('#mapping-yaml', { hasText: 'Asset ID: asset_id' }).waitFor();
    await shoot('new-sync');
  });

  it('run: progress streams in and the final counts equal those of sync --json', async (context) => {
    needsChromium(context);
    await page.locator('#to-run').click();
    await page.locator('#batch-size').fill(BATCH_SIZE);
    await page.locator('#start-run').click();
    await page.locator('body[data-run-state="running"]').waitFor();
    await page.locator('#rejections tbody tr').first().waitFor({ timeout: 60_000 });
    await page.locator('body[data-run-state="ended"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('#run-error').isHidden()).toBe(true);

    const cli = await cliSummary;
    for (const key of COUNTS) {
      const shown = await page.locator(`[data-count="${key}"] b`).textContent();
      expect({ [key]: Number(shown) }).toEqual({ [key]: cli[key] });
    }
    expect(cli.records).toBeGreaterThan(250);
    const lines = await page.locator('#rejections tbody tr td:first-child').allTextContents();
    expect(lines.map(Number).sort((a, b) => a - b)).toEqual(
      cli.rejections.map((r) => r.line).sort((a, b) => a - b),
    );
    // The page lists every notification the runner's summary has (none while the runner lists none).
    const notices = await page.locator('#notifications li').allTextContents();
    expect(notices).toHaveLength(cli.notifications?.length ?? 0);
    // A notice names the sync after its source file, which the page keeps under another directory.
    const sameFile = (text: string) => text.replace(/local sync of \S*\/([^/"]+)/g, 'local sync of $1');
    for (const [i, n] of (cli.notifications ?? []).entries()) {
      expect(sameFile(notices[i] ?? '')).toContain(sameFile(n.title));
    }
    expect(await page.locator('#verdict').textContent()).toContain('Demo result: CLEAN');
    expect(await page.locator('#rate').textContent()).toContain('budget 15 per second');
    await shoot('run');
  }, 120_000);

  it('run: Cancel stops a run mid-way; the summary says cancelled and counts the rest pending', async (context) => {
    needsChromium(context);
    // Every write waits, so the run is mid-way when the first accepted write shows.
    ui.emulator.faults.add({ match: 'POST /api/v4/media/:id/', delayMs: 100 });
    try {
      await page.locator('#start-run').click();
      await page.locator('body[data-run-state="running"]').waitFor();
      await expect
        .poll(() => page.locator('#rate').textContent(), { timeout: 60_000 })
        .toMatch(/^[1-9]\d* of/);
      await page.locator('#cancel-run').click();
      await page.locator('body[data-run-state="ended"]').waitFor({ timeout: 90_000 });
    } finally {
      ui.emulator.faults.clear();
    }
    expect(await page.locator('body[data-run-cancelled="true"]').count()).toBe(1);
    expect(await page.locator('[data-summary="cancelled"] td').textContent()).toContain(
      'cancelled from the page',
    );
    expect(Number(await page.locator('[data-count="pending"] b').textContent())).toBeGreaterThan(0);
    await page.locator('.toast.warning', { hasText: 'Sync cancelled' }).waitFor();
    expect(await page.locator('#cancel-run').isHidden()).toBe(true);
  }, 150_000);
});
