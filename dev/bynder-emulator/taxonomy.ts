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
