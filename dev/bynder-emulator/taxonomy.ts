import { renderFlags } from './flags';
import { isOptionType, type SeedMetaproperty, type SeedOption } from './seed';

/** Where an option sits: its metaproperty and, for nested options, its parent option. */
export interface OptionEntry {
  option: SeedOption;
  metapropertyId: string;
}

/**
 * The portal's metaproperties and their (possibly nested) options, indexed by id and name.
 * Objects are kept exactly as seeded so every field Bynder sends (and seeds carry) round-trips.
 */
export class Taxonomy {
  /** Keyed by the response key of `GET /api/v4/metaproperties/` (may differ in case from `name`). */
  private readonly byKey = new Map<string, SeedMetaproperty>();
  private readonly byId = new Map<string, SeedMetaproperty>();
  private readonly byLowerName = new Map<string, SeedMetaproperty>();
  private readonly options = new Map<string, OptionEntry>();
  /** Per metaproperty id: options by lower-case name and by lower-case label (first one wins). */
  private readonly optionsByText = new Map<
    string,
    { byName: Map<string, SeedOption>; byLabel: Map<string, SeedOption> }
  >();

  public constructor(metaproperties: Record<string, SeedMetaproperty>) {
    for (const [key, original] of Object.entries(metaproperties)) {
      const mp = structuredClone(original);
      this.byKey.set(key, mp);
      this.byId.set(mp.id, mp);
      this.byLowerName.set(mp.name.toLowerCase(), mp);
      this.indexOptions(mp.options ?? [], mp.id);
      const byName = new Map<string, SeedOption>();
      const byLabel = new Map<string, SeedOption>();
      for (const option of flattenOptions(mp.options ?? [])) {
        const name = String(option.name).toLowerCase();
        if (!byName.has(name)) byName.set(name, option);
        if (typeof option.label === 'string' && !byLabel.has(option.label.toLowerCase())) {
          byLabel.set(option.label.toLowerCase(), option);
        }
      }
      this.optionsByText.set(mp.id, { byName, byLabel });
    }
  }

  private indexOptions(options: SeedOption[], metapropertyId: string): void {
    for (const option of options) {
      this.options.set(option.id, { option, metapropertyId });
      this.indexOptions(option.options ?? [], metapropertyId);
    }
  }

  public entries(): Array<[string, SeedMetaproperty]> {
    return [...this.byKey.entries()];
  }

  public get(id: string): SeedMetaproperty | undefined {
    return this.byId.get(id);
  }

  /** By database name; case-insensitive because response keys and names differ in case on Bynder. */
  public byName(name: string): SeedMetaproperty | undefined {
    return this.byLowerName.get(name.toLowerCase());
  }

  public option(id: string): OptionEntry | undefined {
    return this.options.get(id);
  }

  /**
   * An option of `mp` by id, else by name, else by label (case-insensitive). Bynder accepts names
   * and labels on modify but says that is deprecated; ids are the supported form.
   */
  public resolveOption(mp: SeedMetaproperty, value: string): SeedOption | undefined {
    const byId = this.options.get(value);
    if (byId) return byId.metapropertyId === mp.id ? byId.option : undefined;
    const wanted = value.toLowerCase();
    const text = this.optionsByText.get(mp.id);
    return text?.byName.get(wanted) ?? text?.byLabel.get(wanted);
  }

  /** The option of `mp` with exactly this name, case-insensitive (Bynder's duplicate rule on create). */
  public optionByName(mp: SeedMetaproperty, name: string): SeedOption | undefined {
    return this.optionsByText.get(mp.id)?.byName.get(name.toLowerCase());
  }

  /** Adds a created option at the top level of `mp`, indexed like a seeded one. */
  public addOption(mp: SeedMetaproperty, option: SeedOption): void {
    mp.options = [...(mp.options ?? []), option];
    this.options.set(option.id, { option, metapropertyId: mp.id });
    const text = this.optionsByText.get(mp.id);
    if (!text) return;
    const name = String(option.name).toLowerCase();
    if (!text.byName.has(name)) text.byName.set(name, option);
    const label = typeof option.label === 'string' ? option.label.toLowerCase() : undefined;
    if (label !== undefined && !text.byLabel.has(label)) text.byLabel.set(label, option);
  }

  public isOptionType(mp: SeedMetaproperty): boolean {
    return isOptionType(mp);
  }
}

export function flattenOptions(options: SeedOption[]): SeedOption[] {
  return options.flatMap((option) => [option, ...flattenOptions(option.options ?? [])]);
}

/** How metaproperties and options are answered: with options, with per-option counts, 1/0 flags. */
export interface MetapropertyView {
  options: boolean;
  mediaCount?: (optionId: string) => number;
  booleansAsNumbers: boolean;
}

/** A metaproperty as Bynder answers it, with or without options, optionally with per-option counts. */
export function renderMetaproperty(mp: SeedMetaproperty, view: MetapropertyView): SeedMetaproperty {
  const { options, ...rest } = structuredClone(mp);
  const rendered = renderFlags(rest, view.booleansAsNumbers);
  if (!view.options || options === undefined) return rendered;
  return { ...rendered, options: renderOptions(options, view) };
}

/**
 * An option's `date` as `GET /api/v4/metaproperties/{id}/options/` documents it: an ISO 8601
 * date-time (`2017-02-15T14:54:58+00:00`). The listing's example gives the same date as
 * `February, 15 2017 14:54:58 +0000`, the form seeds carry; any other text is left as it is.
 */
export function toOptionPageDate(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = /^([A-Za-z]+), (\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(
    value.trim(),
  );
  if (!match) return value;
  const [, monthName = '', day = '', year, hh, mm, ss, sign, zh, zm] = match;
  const month = MONTHS.indexOf(monthName.slice(0, 3).toLowerCase()) + 1;
  if (month === 0) return value;
  const pad = (n: number | string) => String(n).padStart(2, '0');
  return `${year}-${pad(month)}-${pad(day)}T${hh}:${mm}:${ss}${sign}${zh}:${zm}`;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Options as `GET /api/v4/metaproperties/{id}/options/` documents them: a flat list (each nested
 * option follows its parent, depth first, with no `options` of its own), `date` as a date-time, and
 * `active` as the integer 1/0 the endpoint's description shows whatever `booleansAsNumbers` says.
 */
export function renderOptionPage(
  options: SeedOption[],
  view: Pick<MetapropertyView, 'mediaCount' | 'booleansAsNumbers'>,
): SeedOption[] {
  return options.map((option) => {
    const { options: _children, ...own } = option;
    const rendered: SeedOption = {
      ...renderFlags(own, view.booleansAsNumbers),
      ...(view.mediaCount ? { mediaCount: view.mediaCount(option.id) } : {}),
    };
    if ('date' in own) rendered.date = toOptionPageDate(own.date);
    if (typeof own.active === 'boolean') rendered.active = Number(own.active);
    return rendered;
  });
}

/** Options (and their nested options) with their flags rendered per `view` and, if asked, counts. */
export function renderOptions(
  options: SeedOption[],
  view: Pick<MetapropertyView, 'mediaCount' | 'booleansAsNumbers'>,
): SeedOption[] {
  return options.map((option) => ({
    ...renderFlags(option, view.booleansAsNumbers),
    ...(view.mediaCount ? { mediaCount: view.mediaCount(option.id) } : {}),
    ...(option.options ? { options: renderOptions(option.options, view) } : {}),
  }));
}
