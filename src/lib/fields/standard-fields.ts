import { z } from 'zod';

import type { Media } from '../bynder/api-types';
import type { PrimaryKey } from '../config';
import type { Field, FieldWrite } from './field';
import { isEmptyValue, writeScalar } from './field-write';
import { DATE_DESCRIPTION } from './date-value';
import { FILE_FIELD_NAMES } from './file-fields';
import { holdsIf, readAssetValue } from './held-value';
import { type ScalarKind, SCALAR_KINDS } from './value-kinds';

// The asset's own properties, written as plain form fields of `POST /api/v4/media/{id}/`
// (https://api.bynder.com/reference/post_api-v4-media-id). Their OCP names are fixed; metaproperties never take them.

export const ASSET_ID_FIELD = 'asset_id';

/** Every standard field name, asset_id included (reserved even in external-key mode, so names never shift). */
export const STANDARD_FIELD_NAMES: ReadonlySet<string> = new Set([
  ASSET_ID_FIELD,
  'name',
  'description',
  'copyright',
  'tags',
  'archive',
  'is_public',
  'limited',
  'date_published',
  'archive_date',
  'limited_date',
  'watermark_date',
  'brand_id',
  // The tags' add and remove values (list-change-fields.ts): reserved, so no metaproperty takes them.
  'tags_add',
  'tags_remove',
  ...FILE_FIELD_NAMES,
]);

// Bynder ids are hex with dashes; anything else must not reach a URL path. Bynder's v4 ids are
// upper-case hex (8-4-4-16), so `abc…` and `ABC…` name one asset: the id is written in upper case,
// and events for it group (and merge) under that one spelling, sent as such.
function bynderIdValue(what: string): z.ZodType<string> {
  return z
    .union([z.string(), z.number()], { error: `expected a Bynder ${what} id as text` })
    .transform((value) => String(value).trim().toUpperCase())
    .refine((id) => /^[A-Za-z0-9-]{1,100}$/.test(id), {
      error: `is not a Bynder ${what} id (letters, digits and dashes, e.g. 7C1D2E3F-4444-4D55-9E66F77A88B99C00)`,
    });
}
const assetIdValue = bynderIdValue('asset');

/** A brand id: written as an asset id is, compared with the read's `brandId` regardless of case. */
const BRAND_ID_KIND: ScalarKind = {
  schema: bynderIdValue('brand'),
  held: (current, formValue) =>
    typeof current === 'string' ? holdsIf(current.trim().toUpperCase() === formValue) : 'unknown',
};

function assetIdField(): Field {
  return {
    name: ASSET_ID_FIELD,
    displayName: 'Asset ID',
    description:
      "Bynder asset id (primary key). The asset must already exist in Bynder: this destination updates existing assets' metadata.",
    type: 'string',
    primary: true,
    target: { kind: 'asset_id' },
    formKey: undefined,
    toWrite(value, policy): FieldWrite {
      if (isEmptyValue(value)) {
        return { kind: 'invalid', problem: 'is empty; every record needs the Bynder asset id' };
      }
      return writeScalar(assetIdValue, value, policy);
    },
    holds: () => 'unknown', // identifies the asset, never written
  };
}

interface StandardSpec {
  name: string;
  property: string;
  displayName: string;
  description: string;
  type: Field['type'];
  /** How a value is validated, encoded and compared with what Bynder holds. */
  kind: ScalarKind;
  /** false: an empty value never clears (an asset without a name; a boolean has no "unset"). */
  clearable: boolean;
}

const STANDARD_SPECS: readonly StandardSpec[] = [
  {
    name: 'name',
    property: 'name',
    displayName: 'Name',
    description: 'Asset name: text. An empty value never clears it (Bynder would leave the asset nameless).',
    type: 'string',
    kind: SCALAR_KINDS.longText,
    clearable: false,
  },
  {
    name: 'description',
    property: 'description',
    displayName: 'Description',
    description: 'Asset description: text',
    type: 'string',
    kind: SCALAR_KINDS.longText,
    clearable: true,
  },
  {
    name: 'copyright',
    property: 'copyright',
    displayName: 'Copyright',
    description: 'Copyright notice: text',
    type: 'string',
    kind: SCALAR_KINDS.longText,
    clearable: true,
  },
  {
    name: 'tags',
    property: 'tags',
    displayName: 'Tags',
    description:
      "Tags: comma-separated (or a list); replaces the asset's whole tag list (tags_add and tags_remove change only the tags they name)",
    type: 'string',
    kind: SCALAR_KINDS.tags,
    clearable: true,
  },
  {
    name: 'archive',
    property: 'archive',
    displayName: 'Archived',
    description: 'Archived: true or false (1 or 0)',
    type: 'boolean',
    kind: SCALAR_KINDS.boolean,
    clearable: false,
  },
  {
    name: 'is_public',
    property: 'isPublic',
    displayName: 'Public',
    description:
      'Public: true or false (1 or 0). Bynder cannot make a public asset private again; needs the MARKPUBLIC role',
    type: 'boolean',
    kind: SCALAR_KINDS.boolean,
    clearable: false,
  },
  {
    name: 'limited',
    property: 'limited',
    displayName: 'Limited usage',
    description: 'Limited usage: true or false (1 or 0)',
    type: 'boolean',
    kind: SCALAR_KINDS.boolean,
    clearable: false,
  },
  {
    name: 'date_published',
    property: 'datePublished',
    displayName: 'Date published',
    description: `Date published: ${DATE_DESCRIPTION}`,
    type: 'string',
    kind: SCALAR_KINDS.date,
    clearable: true,
  },
  {
    name: 'archive_date',
    property: 'archiveDate',
    displayName: 'Archive date',
    description: `Date the asset is archived: ${DATE_DESCRIPTION}`,
    type: 'string',
    kind: SCALAR_KINDS.date,
    clearable: true,
  },
  {
    name: 'limited_date',
    property: 'limitedDate',
    displayName: 'Limited usage date',
    description: `Date the asset's usage becomes limited: ${DATE_DESCRIPTION}`,
    type: 'string',
    kind: SCALAR_KINDS.date,
    clearable: true,
  },
  {
    name: 'watermark_date',
    property: 'watermarkDate',
    displayName: 'Watermark date',
    description: `Date the asset is watermarked: ${DATE_DESCRIPTION}`,
    type: 'string',
    kind: SCALAR_KINDS.date,
    clearable: true,
  },
  {
    name: 'brand_id',
    property: 'brandId',
    displayName: 'Brand ID',
    description:
      'Id of the Bynder brand the asset belongs to: writing another one moves the asset to that brand. An empty value never clears it (every asset has a brand).',
    type: 'string',
    kind: BRAND_ID_KIND,
    clearable: false,
  },
];

/** The tags the asset holds, as the read lists them; undefined when it does not list them. */
function readHeldTags(asset: Media): string[] | undefined {
  const tags = readAssetValue(asset, 'tags');
  if (tags === null) return [];
  return Array.isArray(tags) && tags.every((tag): tag is string => typeof tag === 'string')
    ? tags
    : undefined;
}

function standardField(spec: StandardSpec): Field {
  return {
    ...(spec.property === 'tags' ? { heldList: readHeldTags } : {}),
    name: spec.name,
    displayName: spec.displayName,
    description: spec.description,
    type: spec.type,
    primary: false,
    target: { kind: 'standard', property: spec.property },
    formKey: spec.property,
    toWrite: (value, policy) => writeScalar(spec.kind.schema, value, policy, { clearable: spec.clearable }),
    holds: (asset: Media, formValue) => spec.kind.held(readAssetValue(asset, spec.property), formValue),
  };
}

/** The standard fields in their fixed order; asset_id (primary) only when assets are matched by id. */
export function buildStandardFields(primaryKey: PrimaryKey): Field[] {
  const fields = STANDARD_SPECS.map(standardField);
  return primaryKey.kind === 'asset_id' ? [assetIdField(), ...fields] : fields;
}
