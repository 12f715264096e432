import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';

import { CLI_COMMAND, cliArgs } from '../helpers/run-cli';

import { DEMO_PORTAL_PATH } from '../../dev/bynder-emulator/seed';
import { startUi, type RunningUi } from '../../dev/ui/ui-server';

// The local Sync Manager page (`npm run cli -- ui`) driven in a real Chromium: the settings form
// answered by the app's Lifecycle, the demo CSV mapped with the demo mapping file, and a run whose
// final counts must equal those of `sync --json` on the same input. Without Chromium the tests are
// reported as skipped, with the reason in their name; CI installs Chromium (.ci/run) so they run.
// UI_SCREENSHOTS_DIR=docs/ui also saves a screenshot of each screen there (npm run screenshots:ui).

const ROOT = path.resolve(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.UI_SCREENSHOTS_DIR;
const DEMO = {
  source: path.join(ROOT, 'examples/assets.csv'),
  mapping: path.join(ROOT, 'examples/mapping.yml'),
};
/** The form's highest budget and small batches, on both sides, so each run takes about 20 seconds. */
const THROUGHPUT = { requests_per_second: '15', max_in_flight: '10' };
const BATCH_SIZE = '50';
/** app.yml's meta.display_name: the name the page lists the destination under. */
const APP_DISPLAY_NAME = 'Bynder Asset Sync';
const COUNTS = [
  'records',
  'applied',
  'deleted',
  'ignoredDeletes',
  'unchanged',
  'rejected',
  'pending',
  'parked',
  // Rejected because of Bynder's state (the demo's unknown options, missing assets): kept for a retry.
  'kept',
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
      CLI_COMMAND,
      cliArgs(
        'sync',
        ...['--source', DEMO.source, '--mapping', DEMO.mapping, '--batch-size', BATCH_SIZE],
        ...['--requests-per-second', THROUGHPUT.requests_per_second],
        ...['--max-in-flight', THROUGHPUT.max_in_flight, '--json'],
      ),
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

  /**
   * Saves the screen as it is, whole: the screens scroll inside <main> (below the header and the
   * toasts), so the window is made as tall as the content for the shot.
   */
  const shoot = async (name: string) => {
    if (!SCREENSHOTS) return;
    const size = page.viewportSize() ?? { width: 1280, height: 900 };
    const height = await page.evaluate<number>(
      '(() => { const main = document.querySelector("main");' +
        ' return window.innerHeight - main.clientHeight + main.scrollHeight; })()',
    );
    await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
    await page.setViewportSize(size);
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

    // The Test connection button answers without saving; then Save keeps the connection. Its second
    // answer replaces the first: one toast per action, and each can be dismissed.
    const testConnection = connection.locator('button[data-action="test_connection"]');
    const tested = page.locator('.toast.success', { hasText: 'Nothing is saved yet' });
    await connection.locator('[name="token"]').fill(ui.emulator.token);
    await testConnection.click();
    await tested.waitFor();
    await connection.locator('[name="token"]').fill(ui.emulator.token);
    await testConnection.click();
    await page.locator('.toast[data-action="settings:connection:test_connection"]').first().waitFor();
    await expect
      .poll(() => page.locator('.toast[data-action="settings:connection:test_connection"]').count())
      .toBe(1);
    expect(await tested.count()).toBe(1);
    await tested.locator('button[aria-label="Dismiss"]').click();
    expect(await tested.count()).toBe(0);
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
    // The destination by its name in app.yml, never its key; the field list by the schema's name.
    const destination = page.locator('#destinations label');
    expect(await destination.locator('.destination-name').textContent()).toBe(APP_DISPLAY_NAME);
    expect(await destination.textContent()).not.toContain('bynder_assets');
    expect(await page.locator('#fields caption').textContent()).toBe('Fields of Bynder Assets');
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
    expect(await page.locator('#run-input').textContent()).toBe(
      `assets.csv into ${APP_DISPLAY_NAME}, 15 columns mapped`,
    );
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
    // Listed in line order as they come in, whatever order the batches ended in.
    const lines = (await page.locator('#rejections tbody tr td:first-child').allTextContents()).map(Number);
    expect(lines).toEqual(cli.rejections.map((r) => r.line).sort((a, b) => a - b));
    // The page lists every notification the runner's summary has (none while the runner lists none).
    const notices = await page.locator('#notifications li').allTextContents();
    expect(notices).toHaveLength(cli.notifications?.length ?? 0);
    // A notice names the sync after its source file: on the page by the file's own name, never by the
    // temporary folder the page's server keeps it in.
    const fileName = (text: string) => text.replace(/local sync of \S*\/([^/"]+)/g, 'local sync of $1');
    for (const [i, n] of (cli.notifications ?? []).entries()) {
      expect(notices[i]).toContain(fileName(n.title));
    }
    const pageText = (await page.locator('body').textContent()) ?? '';
    expect(pageText).not.toContain(`${os.tmpdir()}${path.sep}`);
    expect(pageText).not.toContain('bynder-ui-');
    expect(await page.locator('#verdict').textContent()).toContain('Demo result: CLEAN');
    expect(await page.locator('#rate').textContent()).toContain('budget 15 per second');
    await shoot('run');
  }, 120_000);

  it('rejections arriving out of line order are listed in line order', async (context) => {
    needsChromium(context);
    // A second tab on the page, fed rejections as late batches would bring them.
    const other = await browser.newPage();
    try {
      await other.goto(`${ui.url}/#run`);
      // The page's own function for a progress event's rejections (app.js is a plain script).
      const rejections = (entries: Array<[number, string]>) =>
        JSON.stringify(entries.map(([line, field]) => ({ line, key: `k${line}`, field, reason: 'r' })));
      await other.evaluate(
        `addRejections(${rejections([
          [40, 'a'],
          [12, 'a'],
        ])})`,
      );
      await other.evaluate(
        `addRejections(${rejections([
          [3, 'a'],
          [40, 'b'],
          [25, 'a'],
          [12, 'b'],
        ])})`,
      );
      const lines = await other.locator('#rejections tbody td:nth-child(1)').allTextContents();
      const fields = await other.locator('#rejections tbody td:nth-child(3)').allTextContents();
      const rows = lines.map((line, i) => `${line}${fields[i]}`);
      expect(rows).toEqual(['3a', '12a', '12b', '25a', '40a', '40b']);
    } finally {
      await other.close();
    }
  });

  it('at 800 px: the navigation and the primary key badge keep to one line; toasts do not cover the form', async (context) => {
    needsChromium(context);
    await page.setViewportSize({ width: 800, height: 900 });
    try {
      await page.goto(`${ui.url}/#settings`);
      await page.locator('[data-section="connection"] [name="portal"]').waitFor();
      // One row: every link in one piece (a link broken over two lines has two boxes), side by side,
      // and the title beside them on one line.
      const header = await page.evaluate<{ linkPieces: number[]; titlePieces: number }>(
        '({ linkPieces: [...document.querySelectorAll("nav a")].map((a) => a.getClientRects().length),' +
          ' titlePieces: document.querySelector("header h1").getClientRects().length })',
      );
      expect(header.linkPieces).toEqual([1, 1, 1]);
      const links = await Promise.all((await page.locator('nav a').all()).map(boxOf));
      const nav = await boxOf(page.locator('nav'));
      const title = await boxOf(page.locator('header h1'));
      expect(new Set(links.map((l) => Math.round(l.top))).size).toBe(1);
      const linkHeight = (links[0]?.bottom ?? 0) - (links[0]?.top ?? 0);
      expect(nav.bottom - nav.top).toBeLessThanOrEqual(linkHeight + 1);
      expect(title.bottom - title.top).toBeLessThanOrEqual(linkHeight + 1);

      // Test connection with the stored token (empty field: kept) puts up a toast.
      await section('connection').locator('button[data-action="test_connection"]').click();
      const shown = page.locator('.toast.success', { hasText: 'Nothing is saved yet' });
      await shown.waitFor();
      const boxes = {
        toast: await boxOf(shown),
        form: await boxOf(page.locator('#form')),
        main: await boxOf(page.locator('main')),
      };
      // What of the form can be seen is the part inside <main>, which scrolls under nothing.
      const visibleForm = intersection(boxes.form, boxes.main);
      expect(visibleForm).toBeDefined();
      expect(intersection(boxes.toast, visibleForm as Box)).toBeUndefined();
      expect(boxes.toast.bottom).toBeLessThanOrEqual(boxes.main.top);
      await shoot('settings-800');

      await page.goto(`${ui.url}/#new-sync`);
      const badge = page.locator('#fields .badge');
      await badge.waitFor();
      const badgeBox = () =>
        page.evaluate<{ rects: number; height: number; fontSize: number }>(
          '(() => { const badge = document.querySelector("#fields .badge"); return {' +
            ' rects: badge.getClientRects().length, height: badge.getBoundingClientRect().height,' +
            ' fontSize: parseFloat(getComputedStyle(badge).fontSize) }; })()',
        );
      const asShown = await badgeBox();
      expect(asShown.rects).toBe(1);
      // One line is about 1.2 font sizes high; two would be 2.4.
      expect(asShown.height).toBeLessThan(2 * asShown.fontSize);
      await shoot('new-sync-800');
      // Nor in a column narrower than the badge (a smaller window, other field names): a fixed
      // layout holds the column to 3 rem, less than "primary key" needs.
      const squeeze = (on: boolean) =>
        page.evaluate(
          `(() => { const table = document.querySelector("#fields");
            table.style.tableLayout = "${on ? 'fixed' : ''}";
            table.querySelector("thead th").style.width = "${on ? '3rem' : ''}"; })()`,
        );
      await squeeze(true);
      const squeezed = await badgeBox();
      expect(squeezed.rects).toBe(1);
      expect(squeezed.height).toBeLessThan(2 * squeezed.fontSize);
      await squeeze(false);
      // The run screen keeps the run of the test before (a change of hash reloads nothing).
      await page.goto(`${ui.url}/#run`);
      await shoot('run-800');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
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

interface Box {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** An element's box in the window, as top, right, bottom and left. */
async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`${String(locator)} is not shown`);
  return { top: box.y, right: box.x + box.width, bottom: box.y + box.height, left: box.x };
}

/** The overlap of two boxes, or undefined when they do not overlap. */
function intersection(a: Box, b: Box): Box | undefined {
  const box = {
    top: Math.max(a.top, b.top),
    right: Math.min(a.right, b.right),
    bottom: Math.min(a.bottom, b.bottom),
    left: Math.max(a.left, b.left),
  };
  return box.top < box.bottom && box.left < box.right ? box : undefined;
}
