import type { AppManifest } from './app-manifest';
import type { AppLoader } from './app-loader';
import { describeLoadError, extendsClass, hasMethod, namedExport } from './app-loader';

// Contract 5.5: only when `jobs` is present. Each job's class is `jobs/<entry_point>`, exported under
// its entry point's name; it must extend the SDK's Job and have prepare and perform; a cron, when
// given, must be a Quartz expression.

export function validateJobs(app: AppManifest, loader: AppLoader): string[] {
  const errors: string[] = [];
  for (const [name, job] of Object.entries(app.jobs ?? {})) {
    const entryPoint = job.entry_point;
    let found: unknown;
    try {
      found = namedExport(loader.load(`jobs/${entryPoint}`), entryPoint);
    } catch (error) {
      errors.push(`Error loading entry point ${name}. ${describeLoadError(error)}`);
      continue;
    }
    if (found === undefined) {
      errors.push(`Error loading entry point ${name}. null`);
      continue;
    }
    if (!extendsClass(found, loader.sdk.Job)) {
      errors.push(`Job entry point does not extend App.Job: ${entryPoint}`);
    }
    for (const method of ['prepare', 'perform']) {
      if (!hasMethod(found, method)) {
        errors.push(`Job entry point is missing the ${method} method: ${entryPoint}`);
      }
    }
    if (job.cron !== undefined && !isQuartzCron(job.cron)) {
      errors.push(`Invalid CRON expression: ${entryPoint}`);
    }
  }
  return errors;
}

// Quartz: seconds, minutes, hours, day of month, month, day of week, optional year; `?` only in one
// of the two day fields, and exactly one of them (Quartz refuses both and neither).
const FIELD_RANGES: ReadonlyArray<[number, number]> = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [1, 7],
  [1970, 2099],
];
const MONTHS = 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC';
const DAYS = 'SUN|MON|TUE|WED|THU|FRI|SAT';

export function isQuartzCron(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length < 6 || fields.length > 7) return false;
  const [, , , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) return false;
  return fields.every((field, i) => isQuartzField(field, i));
}

function isQuartzField(field: string, index: number): boolean {
  const [min, max] = FIELD_RANGES[index] ?? [0, 0];
  if (field === '?') return index === 3 || index === 5;
  if (index === 3 && /^(L(-\d{1,2})?|LW|\d{1,2}W)$/.test(field)) return true;
  if (index === 5 && /^(\d(L|#[1-5]))$/.test(field)) return true;
  const names = index === 4 ? MONTHS : index === 5 ? DAYS : '';
  const value = names ? `(\\d+|${names})` : '\\d+';
  const part = new RegExp(`^(\\*|${value}(-${value})?)(/\\d+)?$`, 'i');
  return field.split(',').every((piece) => {
    if (!part.test(piece)) return false;
    const numbers = piece.match(/\d+/g)?.map(Number) ?? [];
    const step = piece.includes('/') ? numbers.pop() : undefined;
    if (step !== undefined && step < 1) return false;
    return numbers.every((n) => n >= min && n <= max);
  });
}
