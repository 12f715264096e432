import { z } from 'zod';

import type { MediaForm } from '../bynder/bynder-api';
import { checkFileUrl } from '../files/file-url';
import type { Field } from './field';
import { writeScalar } from './field-write';

// The record's file: where to fetch it (`file_url`), the name Bynder keeps (`file_name`) and a value
// that changes when the file does (`file_version`). They are never written by a modify: a new asset is
// uploaded from the file, and a changed file becomes a new version. In a planned write they travel in
// the form under keys no Bynder form field has (`@file.…`), so merging a key's events, the applied
// ledger's fingerprint and the outbox treat them like any field; `splitFileForm` takes them out before
// a modify is sent.

export const FILE_FIELD_NAMES = ['file_url', 'file_name', 'file_version'] as const;

/** The planned form's keys for the file's parts: no Bynder form field starts with `@`. */
export const FILE_FORM_KEYS = {
  url: '@file.url',
  name: '@file.name',
  version: '@file.version',
} as const;

/** The longest file name Bynder's init takes here; longer names are refused with the record. */
const MAX_FILE_NAME = 255;
const MAX_VERSION = 200;

const fileUrlValue = z
  .union([z.string(), z.instanceof(URL)], { error: 'expected the https address of the file as text' })
  .transform((value) => String(value).trim())
  .superRefine((value, ctx) => {
    const check = checkFileUrl(value);
    if (!check.ok) ctx.addIssue({ code: 'custom', message: `${check.detail}; ${check.fix}` });
  });

const fileNameValue = z
  .string({ error: 'expected a file name as text' })
  .transform((value) => value.trim())
  .refine((name) => name.length <= MAX_FILE_NAME, {
    error: `is longer than ${MAX_FILE_NAME} characters; give a shorter file name`,
  })
  .refine((name) => !/[/\\]/.test(name), {
    error: 'holds a path separator (/ or \\); give the file name alone, such as shoe.jpg',
  })
  .refine((name) => /\.[A-Za-z0-9]{1,10}$/.test(name), {
    error: 'has no extension; Bynder needs one (such as shoe.jpg) to know the file type',
  });

const fileVersionValue = z
  .union([z.string(), z.number()], { error: 'expected text or a number that changes when the file does' })
  .transform((value) => String(value).trim())
  .refine((version) => version.length <= MAX_VERSION, {
    error: `is longer than ${MAX_VERSION} characters; use a shorter version, such as a date or a checksum`,
  });

interface FileSpec {
  name: (typeof FILE_FIELD_NAMES)[number];
  formKey: string;
  displayName: string;
  description: string;
  schema: z.ZodType<string>;
}

const FILE_SPECS: readonly FileSpec[] = [
  {
    name: 'file_url',
    formKey: FILE_FORM_KEYS.url,
    displayName: 'File URL',
    description:
      'https address of the file: a new asset is uploaded from it (when the app creates missing assets), and a different address makes it a new version of the asset. Public addresses only; a pre-signed link works.',
    schema: fileUrlValue,
  },
  {
    name: 'file_name',
    formKey: FILE_FORM_KEYS.name,
    displayName: 'File name',
    description:
      "Optional: the file name Bynder keeps for the uploaded file, with its extension (such as shoe.jpg); without it, the name in the file URL's path.",
    schema: fileNameValue,
  },
  {
    name: 'file_version',
    formKey: FILE_FORM_KEYS.version,
    displayName: 'File version',
    description:
      'Optional: any value that changes when the file does (a date, a checksum, a revision number). A new value makes the file a new version of the asset, even at the same URL.',
    schema: fileVersionValue,
  },
];

/** The file fields, after the standard fields. An empty value never clears: it sends no file. */
export function buildFileFields(): Field[] {
  return FILE_SPECS.map((spec): Field => ({
    name: spec.name,
    displayName: spec.displayName,
    description: spec.description,
    type: 'string',
    primary: false,
    target: { kind: 'file', part: spec.name },
    formKey: spec.formKey,
    toWrite: (value, policy) => writeScalar(spec.schema, value, policy, { clearable: false }),
    // Never compared with the asset's fields: whether the file changed is the version fingerprint's.
    holds: () => 'unknown',
  }));
}

/** The record's file as a planned write carries it. */
export interface RecordFile {
  url: string;
  name?: string;
  version?: string;
}

/** The modify form (without the file's keys) and the record's file, if it names one. */
export function splitFileForm(form: MediaForm): { form: MediaForm; file: RecordFile | undefined } {
  const rest: MediaForm = {};
  for (const [key, value] of Object.entries(form)) if (!key.startsWith('@file.')) rest[key] = value;
  const url = form[FILE_FORM_KEYS.url];
  if (url === undefined) return { form: rest, file: undefined };
  const name = form[FILE_FORM_KEYS.name];
  const version = form[FILE_FORM_KEYS.version];
  return {
    form: rest,
    file: { url, ...(name !== undefined ? { name } : {}), ...(version !== undefined ? { version } : {}) },
  };
}
