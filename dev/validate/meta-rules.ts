import type { AppManifest } from './app-manifest';

// Contract 5.2. Every message is prefixed `Invalid app.yml: `, as the SDK's are.
const APP_ID_FORMAT = /^[a-z][a-z_0-9]{2,31}$/;
const VERSION_FORMAT = /^\d+\.\d+\.\d+(-(((dev|beta)(\.\d+)?)|private))?$/;
const VENDOR_FORMAT = /^[a-z0-9]+(_[a-z0-9]+)*$/;
// A practical RFC 5322 subset: local part, @, dotted domain with a TLD of two letters or more.
const EMAIL_FORMAT =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/;

/** Offline, only `all` is known; the SDK fetches the shard list for anything else. */
const KNOWN_AVAILABILITY = ['all'];

const isBlank = (value: string) => value.trim().length === 0;

function isHttpsUrl(value: string): boolean {
  try {
    new URL(value);
  } catch {
    return false;
  }
  return value.startsWith('https://');
}

export function validateMeta(manifest: AppManifest): string[] {
  const meta = manifest.meta;
  const errors: string[] = [];
  if (!APP_ID_FORMAT.test(meta.app_id)) {
    errors.push(
      `meta.app_id must start with a letter, contain only lowercase alpha-numeric and underscore, and be between 3 and 32 characters long (${APP_ID_FORMAT})`,
    );
  }
  if (!VERSION_FORMAT.test(meta.version)) {
    errors.push(
      `meta.version must be a semantic version number, optionally with -dev/-beta (and increment) or -private (${VERSION_FORMAT})`,
    );
  }
  if (!VENDOR_FORMAT.test(meta.vendor)) {
    errors.push(`meta.vendor must be lower snake case (${VENDOR_FORMAT})`);
  }
  if (!isHttpsUrl(meta.support_url)) errors.push('meta.support_url must be a valid web address');
  if (!EMAIL_FORMAT.test(meta.contact_email)) errors.push('meta.contact_email must be a valid email address');
  if (isBlank(meta.display_name)) errors.push('meta.display_name must not be blank');
  if (isBlank(meta.summary)) errors.push('meta.summary must not be blank');
  if (meta.categories.length < 1 || meta.categories.length > 2) {
    errors.push('meta.categories must contain 1 or 2 categories');
  } else if (meta.categories.length === 2 && meta.categories[0] === meta.categories[1]) {
    errors.push('meta.categories contains two identical categories');
  }
  errors.push(...validateAvailability(meta.availability));
  return errors.map((error) => `Invalid app.yml: ${error}`);
}

function validateAvailability(availability: string[]): string[] {
  if (availability.length === 0) return ['meta.availability must contain at least one availability zone'];
  if (availability.includes('all')) {
    return availability.length > 1
      ? [
          'meta.availability should not contain any other availability zones if it contains "all" availability zones',
        ]
      : [];
  }
  const unknown = availability.filter((zone) => !KNOWN_AVAILABILITY.includes(zone));
  return [
    `meta.availability should only contain valid availability zones (${KNOWN_AVAILABILITY.join(', ')}) found: ${unknown.join(', ')}` +
      ' (this offline validator knows only "all"; the SDK checks other zones against the shard list over the network)',
  ];
}
