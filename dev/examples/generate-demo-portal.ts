// Writes examples/portal.json, the demo Bynder portal, deterministically (seeded PRNG): the same
// script always writes the same bytes. Run: npx tsx dev/examples/generate-demo-portal.ts [out]
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Seed, SeedAsset, SeedMetaproperty, SeedOption } from '../bynder-emulator/seed';

const SEED = 20_240_301;
const ASSET_COUNT = 1200;
const SKU_COUNT = 2400;
const CREATED = Date.UTC(2021, 2, 2, 10, 15);

/** mulberry32: small, fast, and the same sequence on every machine. */
/* eslint-disable no-bitwise -- a PRNG is bit arithmetic */
function createRandom(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
/* eslint-enable no-bitwise */

const random = createRandom(SEED);
const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const chance = (p: number): boolean => random() < p;
const pickSome = <T>(items: readonly T[], min: number, max: number): T[] => {
  const pool = [...items];
  const count = Math.min(int(min, max), pool.length);
  return Array.from({ length: count }, () => pool.splice(Math.floor(random() * pool.length), 1)[0]!);
};
const hex = (length: number): string =>
  Array.from({ length }, () => '0123456789ABCDEF'[Math.floor(random() * 16)]).join('');
/** Bynder v4 ids: 8-4-4-16 upper-case hex. */
const bynderId = (): string => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(16)}`;
const timestamp = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const bynderDate = (ms: number): string => {
  const d = new Date(ms);
  const month = d.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' });
  return `${month}, ${String(d.getUTCDate()).padStart(2, '0')} ${d.getUTCFullYear()} 10:15:00 +0000`;
};
const slug = (label: string): string =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

interface OptionSpec {
  label: string;
  children?: OptionSpec[];
}

function option(spec: OptionSpec, zindex: number, full: boolean): SeedOption {
  const name = slug(spec.label);
  const base: SeedOption = {
    id: bynderId(),
    name,
    label: spec.label,
    displayLabel: spec.label,
    zindex,
    isSelectable: true,
    active: true,
    externalReference: `ref-${name}`,
  };
  const children = (spec.children ?? []).map((child, index) => option(child, index + 1, full));
  if (!full) return { ...base, options: children };
  return {
    ...base,
    labels: { en_US: spec.label, nl_NL: spec.label },
    linkedOptionIds: [],
    hideByDefault: false,
    description: '',
    date: bynderDate(CREATED + zindex * 86_400_000),
    options: children,
  };
}

let metapropertyCount = 0;
function metaproperty(
  name: string,
  label: string,
  type: string,
  extra: {
    multi?: boolean;
    required?: boolean;
    editable?: boolean;
    options?: OptionSpec[];
    compact?: boolean;
  } = {},
): SeedMetaproperty {
  metapropertyCount += 1;
  const mp: SeedMetaproperty = {
    id: bynderId(),
    name,
    label,
    type,
    isMultiselect: extra.multi ?? false,
    isRequired: extra.required ?? false,
    isEditable: extra.editable ?? true,
    isFilterable: true,
    isMainfilter: metapropertyCount <= 3,
    isMultifilter: false,
    isApiField: true,
    isDisplayField: false,
    isDrilldown: false,
    zindex: metapropertyCount,
    showInListView: true,
    showInGridView: false,
    showInDuplicateView: false,
    useDependencies: false,
  };
  if (extra.options) mp.options = extra.options.map((spec, index) => option(spec, index + 1, !extra.compact));
  return mp;
}

const labels = (...items: string[]): OptionSpec[] => items.map((label) => ({ label }));

const CAMPAIGNS = labels(
  'Spring Sale 2024',
  'Summer Outdoors 2024',
  'Back to School 2024',
  'Autumn Trails 2024',
  'Holiday Gifting 2024',
  'New Year Reset 2025',
  'Spring Sale 2025',
  'Summer Outdoors 2025',
  'Black Friday 2024',
  'Brand Refresh',
  'Sustainability Story',
  'Trail Running Launch',
  'Kids Collection',
  'Winter Essentials',
  'Ambassador Series',
);
const REGIONS: OptionSpec[] = [
  { label: 'EMEA', children: labels('Benelux', 'DACH', 'Nordics', 'UK & Ireland', 'Southern Europe') },
  { label: 'AMER', children: labels('North America', 'LATAM') },
  { label: 'APAC', children: labels('ANZ', 'Japan', 'Southeast Asia', 'Greater China') },
];
const CATEGORY_WORDS = [
  'TENT',
  'BOOT',
  'JACKET',
  'PACK',
  'STOVE',
  'LAMP',
  'BOTTLE',
  'GLOVE',
  'SOCK',
  'HAT',
  'POLE',
  'MAT',
];
const SKUS: OptionSpec[] = Array.from({ length: SKU_COUNT }, (_, index) => ({
  label: `${CATEGORY_WORDS[index % CATEGORY_WORDS.length]}-${String(10_000 + index * 7).padStart(6, '0')}`,
}));

const metaproperties = [
  metaproperty('campaign_name', 'Campaign', 'select', { options: CAMPAIGNS }),
  metaproperty('region', 'Region', 'select', { multi: true, options: REGIONS }),
  metaproperty('product_sku', 'Product SKU', 'autocomplete', { multi: true, options: SKUS, compact: true }),
  metaproperty('channel', 'Channel', 'select', {
    multi: true,
    options: labels('Web', 'Social', 'Email', 'Print', 'In-store', 'Marketplace', 'Paid media'),
  }),
  metaproperty('asset_status', 'Status', 'select2', {
    required: true,
    options: labels('Draft', 'In review', 'Approved', 'Expired'),
  }),
  metaproperty('brand_line', 'Brand line', 'select2', {
    multi: true,
    options: labels('Summit', 'Trailhead', 'Basecamp', 'Kids', 'Pro'),
  }),
  metaproperty('usage_rights', 'Usage rights', 'select', {
    options: labels('Unlimited', 'Internal only', 'Editorial', 'Licensed 1 year', 'Licensed 3 years'),
  }),
  metaproperty('audience', 'Audience', 'autocomplete', {
    multi: true,
    options: labels(
      'Hikers',
      'Climbers',
      'Families',
      'Runners',
      'Campers',
      'Commuters',
      'Skiers',
      'Cyclists',
    ),
  }),
  metaproperty('language', 'Language', 'select', {
    multi: true,
    options: labels('English', 'Dutch', 'German', 'French', 'Spanish', 'Japanese', 'Swedish'),
  }),
  metaproperty('photographer', 'Photographer', 'text'),
  metaproperty('usage_notes', 'Usage notes', 'longtext'),
  metaproperty('expiry_date', 'Expiry date', 'date'),
  metaproperty('external_id', 'External ID', 'text'),
  metaproperty('related_assets', 'Related assets', 'linked_assets'),
  metaproperty('legacy_code', 'Legacy code', 'text', { editable: false }),
];

const byName = new Map(metaproperties.map((mp) => [mp.name, mp]));
const optionNames = (name: string): string[] => (byName.get(name)?.options ?? []).map((o) => o.name);
const regionNames = (byName.get('region')?.options ?? []).flatMap((o) => [
  o.name,
  ...(o.options ?? []).map((c) => c.name),
]);

const SUBJECTS = [
  'hero banner',
  'product shot',
  'lifestyle photo',
  'social square',
  'email header',
  'print flyer',
  'store poster',
  'lookbook page',
  'video teaser',
  'spec sheet',
];
const PLACES = [
  'alpine lake',
  'forest trail',
  'city park',
  'desert canyon',
  'coastal cliff',
  'snowy ridge',
  'campsite',
  'studio',
];
const PHOTOGRAPHERS = [
  'Anna de Vries',
  'Jonas Berg',
  'Mei Tanaka',
  'Carlos Ruiz',
  'Sophie Martin',
  'Liam O\u2019Brien',
  'Studio North',
];
const TAGS = [
  'outdoor',
  'hiking',
  'camping',
  'summer',
  'winter',
  'family',
  'product',
  'lifestyle',
  'sustainability',
  'new',
  'bestseller',
  'sale',
];
const NOTES = [
  'Approved for all owned channels.',
  'Do not crop the logo; keep 20 px clear space.',
  'Model release on file until the expiry date.',
  'Use only with the matching campaign copy.',
  'Internal training material; not for public use.',
];
const TYPES = [
  { type: 'image', extension: 'jpg' },
  { type: 'image', extension: 'png' },
  { type: 'document', extension: 'pdf' },
  { type: 'video', extension: 'mp4' },
];

const assetIds = Array.from({ length: ASSET_COUNT }, () => bynderId());

function asset(index: number): SeedAsset {
  const id = assetIds[index]!;
  const kind = pick(TYPES);
  const subject = pick(SUBJECTS);
  const campaignOption = pick(byName.get('campaign_name')?.options ?? []);
  const campaign = campaignOption.name;
  const created = CREATED + int(0, 4 * 365) * 86_400_000 + int(0, 86_399) * 1000;
  const modified = created + int(0, 200) * 86_400_000;
  const width = pick([1080, 1920, 2400, 3000, 4000]);
  const height = Math.round(width * pick([0.5625, 0.75, 1, 1.5]));
  const record: SeedAsset = {
    id,
    name: `${campaignOption.label ?? campaign} ${subject} ${String(index + 1).padStart(4, '0')}`,
    description: `${subject[0]!.toUpperCase()}${subject.slice(1)} at a ${pick(PLACES)}.`,
    copyright: `\u00a9 ${new Date(created).getUTCFullYear()} Acme Outdoor`,
    type: kind.type,
    brandId: '0A1B2C3D-5555-4E66-8F77A88B99C00D11',
    tags: pickSome(TAGS, 0, 4),
    dateCreated: timestamp(created),
    dateModified: timestamp(modified),
    datePublished: timestamp(created + 86_400_000),
    archive: chance(0.08),
    isPublic: chance(0.3),
    limited: chance(0.05),
    watermarked: false,
    extension: [kind.extension],
    fileSize: int(40_000, 25_000_000),
    width,
    height,
    orientation: width > height ? 'landscape' : width === height ? 'square' : 'portrait',
    idHash: hex(16).toLowerCase(),
    property_campaign_name: [campaign],
    property_asset_status: [pick(optionNames('asset_status'))],
    property_external_id: `EXT-${String(100_000 + index)}`,
  };
  const optional: Array<[string, () => string[] | string, number]> = [
    ['region', () => pickSome(regionNames, 1, 3), 0.85],
    ['product_sku', () => pickSome(optionNames('product_sku'), 1, 4), 0.7],
    ['channel', () => pickSome(optionNames('channel'), 1, 3), 0.9],
    ['brand_line', () => pickSome(optionNames('brand_line'), 1, 2), 0.6],
    ['usage_rights', () => [pick(optionNames('usage_rights'))], 0.75],
    ['audience', () => pickSome(optionNames('audience'), 1, 3), 0.5],
    ['language', () => pickSome(optionNames('language'), 1, 2), 0.6],
    ['photographer', () => pick(PHOTOGRAPHERS), 0.6],
    ['usage_notes', () => pick(NOTES), 0.4],
    ['expiry_date', () => timestamp(created + int(180, 900) * 86_400_000).slice(0, 10), 0.35],
    ['related_assets', () => pickSome(assetIds, 1, 2).join(','), 0.1],
    ['legacy_code', () => `LGC-${hex(6)}`, 0.25],
  ];
  for (const [name, value, probability] of optional) {
    if (chance(probability)) record[`property_${name}`] = value();
  }
  return record;
}

const assets = Array.from({ length: ASSET_COUNT }, (_, index) => asset(index));
/** Response keys differ from names in case, as on Bynder (its listing is keyed by a variant of each name: "Usage_notes" for usage_notes). */
const keyOf = (name: string): string => `${name[0]!.toUpperCase()}${name.slice(1)}`;
const seed: Seed = {
  metaproperties: Object.fromEntries(metaproperties.map((mp) => [keyOf(mp.name), mp])),
  assets,
};

// One metaproperty and one asset per line: compact, yet diffs stay readable.
const lines = [
  '{"metaproperties":{',
  Object.entries(seed.metaproperties)
    .map(([key, mp]) => `${JSON.stringify(key)}:${JSON.stringify(mp)}`)
    .join(',\n'),
  '},"assets":[',
  seed.assets.map((item) => JSON.stringify(item)).join(',\n'),
  ']}',
];
const out = process.argv[2] ?? path.resolve(__dirname, '../../examples/portal.json');
writeFileSync(out, `${lines.join('\n')}\n`);
process.stdout.write(`wrote ${out}: ${metaproperties.length} metaproperties, ${assets.length} assets\n`);
