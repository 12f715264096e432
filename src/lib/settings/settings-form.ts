import type { z } from 'zod';

import { OAUTH_APPS_PAGE, PERMANENT_TOKENS_PAGE } from '../messages';
import {
  type ConnectionSecrets,
  type ConnectionSettings,
  connectionSecretsSchema,
  connectionSettingsSchema,
  type Credentials,
  credentialsFromSecrets,
  describeSettingIssue,
  describeShortCredential,
  type FieldProblem,
  SETTING_LABELS,
} from '../config';
import { parsePortalUrl, type PortalOrigin } from '../portal-url';

// Reading what a person submitted in a section of the settings form: each section through its
// stored-settings schema (src/lib/config.ts), and the connection section's secrets with the rules a
// secret field needs. Problems name the form field, so the form can mark it.

export type SectionFormResult<T> = { ok: true; values: T } | { ok: false; problems: FieldProblem[] };

/** Parses one submitted form section with its stored-settings schema; problems name the field. */
export function readSectionForm<S extends z.ZodType>(
  schema: S,
  formData: unknown,
): SectionFormResult<z.output<S>> {
  const parsed = schema.safeParse(formData ?? {});
  if (parsed.success) return { ok: true, values: parsed.data };
  return { ok: false, problems: parsed.error.issues.map(describeSettingIssue) };
}

// OCP shows a settings section with the values stored under its key. Credentials are never stored
// there, so a secret field comes back empty when the form is reopened (and a platform that masks
// secrets may send a placeholder such as "********"). Either way the person did not type a new
// value, so the stored one is kept: but only for the portal it was saved with. A stored credential
// is never sent to another portal, whoever typed its address into the form.

const MASK = /^[*•●]+$/;

/** The trimmed value a person typed into a secret field, or undefined for "keep what is stored". */
export function readSecretField(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || MASK.test(trimmed) ? undefined : trimmed;
}

export interface ConnectionForm {
  /** What goes into the settings row `connection` (portal normalised to its origin). */
  settings: ConnectionSettings;
  /** What goes into the secrets row `connection`: only the chosen method's credentials. */
  secrets: ConnectionSecrets;
  credentials: Credentials;
  /** Secret fields left empty whose stored value is reused, by form key. */
  keptStored: string[];
}

const EMPTY_MESSAGES: Record<'token' | 'client_id' | 'client_secret', string> = {
  token: `Permanent token is empty; paste the token created in Bynder under ${PERMANENT_TOKENS_PAGE}`,
  client_id: `OAuth client id is empty; copy it from the OAuth app in Bynder under ${OAUTH_APPS_PAGE}`,
  client_secret: `OAuth client secret is empty; paste the secret Bynder showed when the OAuth app was created (${OAUTH_APPS_PAGE})`,
};

/**
 * Pasting the whole header value is a common slip (the app adds "Bearer " itself), and so is
 * pasting part of a value; the length rule is the stored schema's.
 */
function checkSecretShape(field: string, value: string): FieldProblem | undefined {
  const label = SETTING_LABELS[field] ?? field;
  if (/^bearer\s/i.test(value)) {
    return { field, message: `${label} starts with "Bearer"; paste the value alone, without "Bearer "` };
  }
  if (/\s/.test(value)) {
    return { field, message: `${label} contains spaces or line breaks; paste it as one piece` };
  }
  const short = describeShortCredential(value);
  return short === undefined ? undefined : { field, message: `${label} ${short}` };
}

/** What a person must do when a stored credential would go to a portal it was not saved for. */
function describePortalChange(
  field: string,
  storedPortal: PortalOrigin | undefined,
  portal: PortalOrigin,
): string {
  const what = (SETTING_LABELS[field] ?? field).toLowerCase().replace('oauth', 'OAuth');
  const change = storedPortal
    ? `The portal changed from ${storedPortal} to ${portal}`
    : `No portal is stored with the ${what}`;
  return `${change}: enter the ${what} again; a stored credential is never sent to another portal`;
}

/** The stored connection: the settings row (portal, method) and the secrets row (credentials). */
export interface StoredConnection {
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
}

/**
 * Validates the submitted connection section. Secret fields left empty keep the stored value
 * (see readSecretField) while the portal is the one they were saved with; for another portal each
 * must be typed again. A field with neither a typed nor a stored value is an error.
 */
export function readConnectionForm(
  formData: Record<string, unknown>,
  stored: StoredConnection,
): { ok: true; form: ConnectionForm } | { ok: false; problems: FieldProblem[] } {
  const settings = readSectionForm(connectionSettingsSchema, formData);
  const problems: FieldProblem[] = settings.ok ? [] : [...settings.problems];
  const storedSecrets = connectionSecretsSchema.safeParse(stored.secrets);
  const previous: ConnectionSecrets = storedSecrets.success ? storedSecrets.data : {};
  const parsedStoredPortal =
    typeof stored.settings.portal === 'string' ? parsePortalUrl(stored.settings.portal) : undefined;
  const storedPortal = parsedStoredPortal?.ok ? parsedStoredPortal.origin : undefined;
  const authMethod = settings.ok
    ? settings.values.auth_method
    : formData.auth_method === 'oauth_client_credentials'
      ? 'oauth_client_credentials'
      : 'permanent_token';
  const fields =
    authMethod === 'permanent_token' ? (['token'] as const) : (['client_id', 'client_secret'] as const);

  const secrets: ConnectionSecrets = {};
  const keptStored: string[] = [];
  for (const field of fields) {
    const typed = readSecretField(formData[field]);
    const value = typed ?? previous[field];
    if (!value) {
      problems.push({ field, message: EMPTY_MESSAGES[field] });
      continue;
    }
    if (typed === undefined) {
      // An unreadable portal is marked already, and with it nothing is sent anywhere.
      if (settings.ok && settings.values.portal !== storedPortal) {
        problems.push({ field, message: describePortalChange(field, storedPortal, settings.values.portal) });
        continue;
      }
      keptStored.push(field);
    } else {
      const shape = checkSecretShape(field, typed);
      if (shape) problems.push(shape);
    }
    secrets[field] = value;
  }
  if (!settings.ok || problems.length > 0) return { ok: false, problems };

  // Holds here (the loop filled every field of the method); checked for the types.
  const picked = credentialsFromSecrets(authMethod, secrets);
  if (!picked.ok) return { ok: false, problems: [{ field: fields[0], message: picked.missing }] };
  return {
    ok: true,
    form: {
      settings: settings.values,
      secrets,
      credentials: picked.credentials,
      keptStored,
    },
  };
}
