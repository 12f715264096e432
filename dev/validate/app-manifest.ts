import type { Shape } from './json-shape';

// app.yml as the SDK's manifest JSON schema describes it (contract sections 4 and 5.1), limited to
// the sections this app can use; the others are accepted as objects without a closer look.

// In the order the SDK's manifest schema lists them (its error message shows this list).
const APP_CATEGORIES = [
  'Accounting & Finance',
  'Advertising',
  'Analytics & Reporting',
  'Attribution & Linking',
  'Audience Sync',
  'CDP / DMP',
  'CRM',
  'Channel',
  'Commerce Platform',
  'Content Management',
  'Customer Experience',
  'Data Quality & Enrichment',
  'Lead Capture',
  'Loyalty & Rewards',
  'Marketing',
  'Merchandising & Products',
  'Offers',
  'Opal',
  'Personalization & Content',
  'Point of Sale',
  'Productivity',
  'Reviews & Ratings',
  'Site & Content Experience',
  'Subscriptions',
  'Surveys & Feedback',
  'Testing & Utilities',
] as const;

const APP_RUNTIMES = ['node12', 'node18', 'node18_rt', 'node22'] as const;

export interface AppDestination {
  entry_point: string;
  description: string;
  schema: string | { entry_point: string };
  supports_delete?: boolean;
}

export interface AppJob {
  entry_point: string;
  description: string;
  /** Quartz-style, e.g. `0 0 6 * * ?`. */
  cron?: string;
}

export interface AppManifest {
  meta: {
    app_id: string;
    display_name: string;
    version: string;
    vendor: string;
    support_url: string;
    summary: string;
    contact_email: string;
    categories: string[];
    availability: string[];
  };
  runtime: string;
  environment?: string[];
  outbound_domains?: string[];
  destinations?: Record<string, AppDestination>;
  jobs?: Record<string, AppJob>;
  [section: string]: unknown;
}

const text: Shape = { type: 'string' };
const textList: Shape = { type: 'array', items: text };
const entryPointOnly: Shape & { type: 'object' } = {
  type: 'object',
  properties: { entry_point: text },
  required: ['entry_point'],
};

export const MANIFEST_SHAPE: Shape = {
  type: 'object',
  required: ['meta', 'runtime'],
  properties: {
    meta: {
      type: 'object',
      required: [
        'app_id',
        'display_name',
        'version',
        'vendor',
        'support_url',
        'summary',
        'contact_email',
        'categories',
        'availability',
      ],
      properties: {
        app_id: text,
        display_name: text,
        version: text,
        vendor: text,
        support_url: text,
        summary: text,
        contact_email: text,
        categories: { type: 'array', items: { type: 'string', enum: APP_CATEGORIES } },
        availability: textList,
      },
    },
    runtime: { type: 'string', enum: APP_RUNTIMES },
    environment: textList,
    outbound_domains: textList,
    destinations: {
      type: 'map',
      values: {
        type: 'object',
        required: ['entry_point', 'description', 'schema'],
        properties: {
          entry_point: text,
          description: text,
          schema: { type: 'string-or-object', object: entryPointOnly },
          // Typed by the destination rules, whose message names the destination.
          supports_delete: { type: 'unknown' },
        },
      },
    },
    functions: { type: 'any-object' },
    jobs: {
      type: 'map',
      values: {
        type: 'object',
        required: ['entry_point', 'description'],
        properties: {
          entry_point: text,
          description: text,
          cron: text,
          parameters: { type: 'any-object' },
        },
      },
    },
    consumers: { type: 'any-object' },
    liquid_extensions: { type: 'any-object' },
    sources: { type: 'any-object' },
    channel: { type: 'any-object' },
  },
};
