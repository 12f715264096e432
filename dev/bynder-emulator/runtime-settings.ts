import { z } from 'zod';

import { DEFAULT_MAX_CHUNK_BYTES } from './uploads';

/** Sliding-window limit per client, as Bynder's WAF applies per source IP (https://api.bynder.com/docs/getting-started). */
export interface RateLimitSettings {
  /** Requests allowed inside one window. */
  limit: number;
  windowMs: number;
  /** Once blocked, the block lifts only after this long without a single request from that client. */
  quietMs: number;
}

export interface LatencySettings {
  ms: number;
  /** A uniformly random extra 0..jitterMs on top of `ms`. */
  jitterMs: number;
}

/** Everything the emulator can change while it runs (`configure`, `POST /__emulator/config`). */
export interface EmulatorSettings {
  /** Delay between a 202 on modify and the change being visible; 0 applies on the next timer tick. */
  applyDelayMs: number;
  rateLimit: RateLimitSettings | false;
  latency: LatencySettings;
  /** EMULATOR-ONLY, not Bynder behaviour: reject unknown form keys, ids and JSON bodies with 400. */
  strict: boolean;
  /**
   * Render booleans in answers (asset archive/isPublic/limited/watermarked, metaproperty and option
   * flags) as 1/0, the form Bynder's payloads use; false gives JSON booleans, as its OpenAPI documents.
   */
  booleansAsNumbers: boolean;
  /** Render text metaproperty values as one-element arrays instead of strings (both occur). */
  textValuesAsArrays: boolean;
  /**
   * How `property_<name>=<text>` filters a text metaproperty on `GET /api/v4/media/`. Bynder does not
   * document it (only option filters are), so each plausible behaviour can be emulated.
   */
  textFilter: TextFilterMode;
  /**
   * How long a finalised upload converts before the poll lists it done, on the emulator's clock
   * (tests move a fake clock instead of waiting). Bynder's conversion typically takes seconds.
   */
  conversionDelayMs: number;
  /** The largest chunk the signed POST policy of an init allows (S3 refuses bigger ones). */
  maxChunkBytes: number;
  /** Original file names whose conversion fails: the poll lists their imports in `itemsFailed`. */
  failingConversions: string[];
  /**
   * EMULATOR-ONLY fault: asset ids the listing (`GET /api/v4/media/`, `?ids=` included) leaves out of
   * its answers, while the asset stays readable by `?id=` and writable. A read can answer fewer
   * assets than it was asked for (an index lagging behind, an asset the listing does not show); a
   * client must not take an asset left out for one that is gone.
   */
  unlistedIds: string[];
  /**
   * EMULATOR-ONLY fault: ms between an option create's duplicate-name check and its insert, so two
   * creates of one name at once both pass the check and make two options, as a store without an
   * atomic check would. 0 (default): the check and the insert are one step.
   */
  optionCreateGapMs: number;
}

/** `exact` (default): equal text; `substring`: contains it; `case-insensitive`: equal ignoring case; `ignored`: no filtering. */
export const TEXT_FILTER_MODES = ['exact', 'substring', 'case-insensitive', 'ignored'] as const;
export type TextFilterMode = (typeof TEXT_FILTER_MODES)[number];

/** Bynder's current limit: 4,500 requests per 5 minutes, blocked until 5 quiet minutes (https://api.bynder.com/docs/getting-started). */
export const BYNDER_RATE_LIMIT: RateLimitSettings = { limit: 4500, windowMs: 300_000, quietMs: 300_000 };

export const DEFAULT_SETTINGS: EmulatorSettings = {
  applyDelayMs: 0,
  rateLimit: BYNDER_RATE_LIMIT,
  latency: { ms: 0, jitterMs: 0 },
  strict: false,
  booleansAsNumbers: true,
  textValuesAsArrays: false,
  textFilter: 'exact',
  conversionDelayMs: 2_000,
  maxChunkBytes: DEFAULT_MAX_CHUNK_BYTES,
  failingConversions: [],
  unlistedIds: [],
  optionCreateGapMs: 0,
};

const nonNegative = z.number().finite().min(0);

export const settingsPatchSchema = z.strictObject({
  applyDelayMs: nonNegative.optional(),
  rateLimit: z
    .union([
      z.literal(false),
      z.strictObject({
        limit: z.number().int().min(1).optional(),
        windowMs: nonNegative.optional(),
        quietMs: nonNegative.optional(),
      }),
    ])
    .optional(),
  latency: z.strictObject({ ms: nonNegative.optional(), jitterMs: nonNegative.optional() }).optional(),
  strict: z.boolean().optional(),
  booleansAsNumbers: z.boolean().optional(),
  textValuesAsArrays: z.boolean().optional(),
  textFilter: z.enum(TEXT_FILTER_MODES).optional(),
  conversionDelayMs: nonNegative.optional(),
  maxChunkBytes: z.number().int().min(1).optional(),
  failingConversions: z.array(z.string()).optional(),
  unlistedIds: z.array(z.string()).optional(),
  optionCreateGapMs: nonNegative.optional(),
});

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** Applies a patch in place; a partial rateLimit/latency patch keeps the other members. */
export function applySettingsPatch(settings: EmulatorSettings, patch: SettingsPatch): void {
  if (patch.applyDelayMs !== undefined) settings.applyDelayMs = patch.applyDelayMs;
  if (patch.strict !== undefined) settings.strict = patch.strict;
  if (patch.booleansAsNumbers !== undefined) settings.booleansAsNumbers = patch.booleansAsNumbers;
  if (patch.textValuesAsArrays !== undefined) settings.textValuesAsArrays = patch.textValuesAsArrays;
  if (patch.textFilter !== undefined) settings.textFilter = patch.textFilter;
  if (patch.conversionDelayMs !== undefined) settings.conversionDelayMs = patch.conversionDelayMs;
  if (patch.maxChunkBytes !== undefined) settings.maxChunkBytes = patch.maxChunkBytes;
  if (patch.failingConversions !== undefined) settings.failingConversions = [...patch.failingConversions];
  if (patch.unlistedIds !== undefined) settings.unlistedIds = [...patch.unlistedIds];
  if (patch.optionCreateGapMs !== undefined) settings.optionCreateGapMs = patch.optionCreateGapMs;
  if (patch.latency !== undefined) settings.latency = { ...settings.latency, ...patch.latency };
  if (patch.rateLimit === false) settings.rateLimit = false;
  else if (patch.rateLimit !== undefined) {
    settings.rateLimit = { ...(settings.rateLimit || BYNDER_RATE_LIMIT), ...patch.rateLimit };
  }
}
