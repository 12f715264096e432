import { readFileSync } from 'node:fs';
import path from 'node:path';

import { type Command, Option } from 'commander';
import { parse } from 'yaml';

import { type LifecycleSettingsResult, logger, storage, type SubmittedFormData } from '@zaiusinc/app-sdk';

import { withEmulator } from '../../bynder-emulator/with-emulator';
import { DEMO_PORTAL } from '../../bynder-emulator/seed';
import { DEFAULT_TOKEN } from '../../bynder-emulator/token-store';
import { SECTION } from '../../../src/lib/config';
import { Lifecycle } from '../../../src/lifecycle/Lifecycle';
import { exitCode, UsageError } from '../exit-codes';

// `settings` shows forms/settings.yml as a person sees it in OCP, or runs the app's real
// Lifecycle.onSettingsForm on one submitted section, with the SDK's in-memory stores, and says
// what came back and what got stored. Secrets are shown only as "set" / "not set".

const FORM_FILE = path.join(__dirname, '../../../forms/settings.yml');
/** A portal value that stands for the emulator started with --emulator. */
const EMULATOR_PORTAL = 'emulator';

interface SettingsFlags {
  section?: string;
  action: string;
  data?: string;
  emulator?: boolean;
  verbose?: boolean;
}

export interface FormElement {
  type: string;
  key?: string;
  label?: string;
  help?: string;
  hint?: string;
  text?: string;
  action?: string;
  required?: boolean;
  defaultValue?: unknown;
  dataType?: string;
  options?: Array<{ text: string; value: string }>;
  visible?: unknown;
}
export interface FormSection {
  key: string;
  label: string;
  elements: FormElement[];
}

export function registerSettings(program: Command): void {
  program
    .command('settings')
    .description(
      'Show the settings form as OCP renders it, or submit one section to the real Lifecycle.onSettingsForm (in-memory stores).',
    )
    .option('--section <key>', `form section to submit: ${Object.values(SECTION).join(', ')}`)
    .option('--action <action>', 'button action: save, or test_connection in the connection section', 'save')
    .option('--data <json>', 'the submitted values as a JSON object, e.g. \'{"portal":"acme.bynder.com"}\'')
    .addOption(
      new Option(
        '--emulator',
        `start the demo Bynder emulator; a portal value "${EMULATOR_PORTAL}" becomes its URL (its token is ${DEFAULT_TOKEN}); for other sections a connection to it is stored first`,
      ),
    )
    .option('--verbose', "also print the app's log lines")
    .addHelpText(
      'after',
      `
Examples:
  npm run cli -- settings
  npm run cli -- settings --emulator --section connection --action test_connection \\
    --data '{"portal":"emulator","auth_method":"permanent_token","token":"${DEFAULT_TOKEN}"}'
  npm run cli -- settings --section throughput --data '{"requests_per_second":"20"}'`,
    )
    .action(async (flags: SettingsFlags) => {
      if (flags.section === undefined) {
        if (flags.data !== undefined || flags.emulator) {
          throw new UsageError(
            `--data and --emulator submit a section: add --section (${Object.values(SECTION).join(', ')}), or drop them to show the form`,
          );
        }
        process.stdout.write(renderForm(readForm()));
        return;
      }
      await submitSection(flags.section, flags);
    });
}

/** The sections of forms/settings.yml, as OCP reads them. */
export function readForm(): FormSection[] {
  const form = parse(readFileSync(FORM_FILE, 'utf8')) as { sections?: FormSection[] };
  return form.sections ?? [];
}

// ---- showing the form ----------------------------------------------------------------------------

function wrap(text: string, indent: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (line !== '' && indent.length + line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => `${indent}${l}\n`).join('');
}

function describeCondition(condition: unknown): string {
  if (typeof condition !== 'object' || condition === null) return String(condition);
  const c = condition as {
    key?: string;
    equals?: unknown;
    empty?: boolean;
    operation?: string;
    comparators?: unknown[];
  };
  if (c.comparators) {
    return c.comparators.map(describeCondition).join(c.operation === 'any' ? ' or ' : ' and ');
  }
  if ('equals' in c) return `${c.key} = ${String(c.equals)}`;
  if ('empty' in c) return `${c.key} is ${c.empty ? 'empty' : 'filled in'}`;
  return JSON.stringify(condition);
}

function describeElement(element: FormElement): string {
  if (element.type === 'instructions') return wrap(element.text ?? '', '    ');
  if (element.type === 'button') {
    return `  [${element.label}] button, action "${element.action}"\n${wrap(element.help ?? '', '      ')}`;
  }
  const kind = element.type === 'text' && element.dataType ? `${element.dataType}` : element.type;
  const facts = [kind, element.required ? 'required' : 'optional'];
  if (element.defaultValue !== undefined) facts.push(`default ${JSON.stringify(element.defaultValue)}`);
  let out = `  • ${element.label} (${element.key}): ${facts.join(', ')}\n`;
  if (element.visible !== undefined) out += `      shown when ${describeCondition(element.visible)}\n`;
  if (element.options) {
    for (const option of element.options) {
      const mark = option.value === element.defaultValue ? ' (default)' : '';
      out += `      - ${option.text} [${option.value}]${mark}\n`;
    }
  }
  if (element.hint) out += `      placeholder: ${element.hint}\n`;
  return out + wrap(element.help ?? '', '      ');
}

function renderForm(sections: FormSection[]): string {
  return sections
    .map(
      (section) =>
        `${section.label}  (section "${section.key}")\n${section.elements.map(describeElement).join('')}`,
    )
    .join('\n');
}

// ---- submitting a section ------------------------------------------------------------------------

function parseData(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new UsageError(
      `--data is not valid JSON (${error instanceof Error ? error.message : String(error)}); pass an object such as '{"portal":"acme.bynder.com"}'`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(
      `--data must be a JSON object of field values, not ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  for (const [key, field] of Object.entries(value)) {
    if (field !== null && typeof field === 'object') {
      throw new UsageError(`--data field "${key}" must be a string, number or boolean`);
    }
  }
  return value as Record<string, unknown>;
}

/** Collects the app's log lines instead of printing JSON in the middle of the answer. */
function captureLogs(): string[] {
  const lines: string[] = [];
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    logger[level] = (...args: unknown[]) => {
      lines.push(
        `${level}: ${args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' ')}`,
      );
    };
  }
  return lines;
}

/**
 * Refuses a section or action the form does not have, before the app sees it: the app's own answer
 * (a danger toast advising to reload the page or reinstall) fits OCP, not a typo on the command line.
 */
export function checkSectionAndAction(section: string, action: string, form = readForm()): void {
  const known = form.find((s) => s.key === section);
  if (!known) {
    const keys = form.map((s) => s.key);
    const near = keys.find((k) => isNearMiss(k, section));
    throw new UsageError(
      `--section "${section}" is not a section of the settings form${near ? ` (did you mean "${near}"?)` : ''}; ` +
        `the sections are ${keys.join(', ')} (run \`npm run cli -- settings\` to see the form)`,
    );
  }
  const actions = [
    'save',
    ...known.elements.filter((e) => e.type === 'button' && e.action).map((e) => e.action),
  ];
  if (!actions.includes(action)) {
    throw new UsageError(
      `--action "${action}" is not an action of section "${section}"; it has ${actions.join(', ')}`,
    );
  }
}

/** Same letters but one added, dropped, changed or swapped, ignoring case: a likely typo. */
function isNearMiss(known: string, typed: string): boolean {
  const a = known.toLowerCase();
  const b = typed.toLowerCase();
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < Math.min(a.length, b.length) && a[i] === b[i]) i += 1;
  const tail = (x: string, from: number) => x.slice(from);
  return (
    tail(a, i + 1) === tail(b, i + 1) || // one changed
    tail(a, i + 1) === tail(b, i) || // one dropped
    tail(a, i) === tail(b, i + 1) || // one added
    (a[i] === b[i + 1] && a[i + 1] === b[i] && tail(a, i + 2) === tail(b, i + 2)) // two swapped
  );
}

async function submitSection(section: string, flags: SettingsFlags): Promise<void> {
  checkSectionAndAction(section, flags.action);
  const data = parseData(flags.data);
  const logLines = captureLogs();
  if (!flags.emulator) {
    if (data.portal === EMULATOR_PORTAL) {
      throw new UsageError(
        `--data portal "${EMULATOR_PORTAL}" stands for the emulator: add --emulator, or give a portal such as acme.bynder.com`,
      );
    }
    await submit(section, flags, data, logLines);
    if (section !== SECTION.connection) {
      // The app's advice to save the connection first fits OCP; here every run starts with empty stores.
      process.stdout.write(
        '\nEach `settings` run starts with empty stores, so no connection is saved here: add --emulator to ' +
          'store a connection to the demo emulator first and have this section checked against it.\n',
      );
    }
    return;
  }
  return withEmulator({ port: 0, seed: DEMO_PORTAL }, async (emulator) => {
    if (data.portal === EMULATOR_PORTAL) data.portal = emulator.url;
    process.stdout.write(`Emulator (demo portal) at ${emulator.url}; token ${emulator.token}\n`);
    if (section !== SECTION.connection) {
      // Each run starts with empty stores: connect to the emulator first, so that e.g. the
      // records section can check its external key metaproperty there.
      await storage.settings.put(SECTION.connection, {
        portal: emulator.url,
        auth_method: 'permanent_token',
      });
      await storage.secrets.put(SECTION.connection, { token: emulator.token });
      process.stdout.write('Stored a connection to it first (as if "Connect to Bynder" had been saved).\n');
    }
    return submit(section, flags, data, logLines);
  });
}

/** What the form shows after a submit: field errors keyed `<section>.<field>`, toasts, a redirect. */
export type SectionAnswer = ReturnType<LifecycleSettingsResult['getResponse']>;

/** Submits one section to the app's real Lifecycle.onSettingsForm and returns what OCP would show. */
export async function answerSection(
  section: string,
  action: string,
  data: Record<string, unknown>,
): Promise<SectionAnswer> {
  const result = await new Lifecycle().onSettingsForm(section, action, data as SubmittedFormData);
  return result.getResponse(section);
}

/** Submits the section to the app's Lifecycle and prints the answer and the stores. */
async function submit(
  section: string,
  flags: SettingsFlags,
  data: Record<string, unknown>,
  logLines: string[],
): Promise<void> {
  const response = await answerSection(section, flags.action, data);
  process.stdout.write(`\nSubmitted section "${section}", action "${flags.action}".\n`);
  for (const toast of response.toasts ?? []) {
    process.stdout.write(`Toast (${toast.intent}): ${toast.message}\n`);
  }
  const errors = Object.entries(response.errors ?? {});
  for (const [field, messages] of errors) {
    for (const message of messages) process.stdout.write(`Error on ${field}: ${message}\n`);
  }
  if (errors.length === 0) process.stdout.write('No field errors.\n');
  if (response.redirect) {
    process.stdout.write(
      response.redirectMode === 'settings'
        ? `Then opens the settings section "${response.redirect}".\n`
        : `Then sends the browser to ${response.redirect}.\n`,
    );
  }
  process.stdout.write(await describeStores());
  if (flags.verbose) process.stdout.write(`\nLog:\n${logLines.map((l) => `  ${l}\n`).join('')}`);
  if (errors.length > 0 || (response.toasts ?? []).some((t) => t.intent === 'danger')) {
    process.exitCode = exitCode('checkFailed');
  }
}

async function describeStores(): Promise<string> {
  let out = '\nStored settings (storage.settings):\n';
  for (const key of Object.values(SECTION)) {
    const row = await storage.settings.get(key);
    out += `  ${key}: ${Object.keys(row).length === 0 ? '(nothing)' : JSON.stringify(row)}\n`;
  }
  const secrets: Record<string, unknown> = await storage.secrets.get(SECTION.connection);
  const state = (field: string) =>
    typeof secrets[field] === 'string' && secrets[field] !== '' ? 'set' : 'not set';
  out += `Stored secrets (storage.secrets, row "${SECTION.connection}"): token ${state('token')}, client_id ${state('client_id')}, client_secret ${state('client_secret')}\n`;
  return out;
}
