import type { MediaPatch } from './media-form';
import { renderMedia, type MediaJson, type MediaView } from './media-json';
import { loadSeed, type Seed, type SeedMetaproperty } from './seed';
import { bynderTimestamp, fromSeedAsset, type StoredAsset } from './stored-asset';
import { renderMetaproperty, Taxonomy } from './taxonomy';

/** A deleted asset, as the trash keeps it. */
export type TrashedMedia = MediaJson & { dateRemoved: string };

/** The portal as data; a dump of it (with `requests`) is itself a valid seed. */
export interface PortalSnapshot {
  metaproperties: Record<string, SeedMetaproperty>;
  assets: MediaJson[];
  trash: TrashedMedia[];
}

const EMPTY_SEED: Seed = { metaproperties: {}, assets: [] };

/**
 * The in-memory portal: metaproperties with options, assets and trash. No HTTP here; routes read
 * and change it through these methods only.
 */
export class PortalState {
  public taxonomy = new Taxonomy({});
  private assets = new Map<string, StoredAsset>();
  private trash = new Map<string, { asset: StoredAsset; dateRemoved: string }>();
  private initial: Seed = EMPTY_SEED;
  /** What lenient seed loading left out, one line each (unknown options, unknown metaproperties). */
  public warnings: string[] = [];

  public constructor(private readonly now: () => number) {}

  /** Replaces the whole portal with `seed`; reset() returns to it later. */
  public seed(seed: Seed | string): void {
    this.initial = loadSeed(seed);
    this.reset();
  }

  public reset(): void {
    const seed = this.initial;
    const now = this.now();
    this.warnings = [];
    const warn = (message: string): void => void this.warnings.push(message);
    this.taxonomy = new Taxonomy(seed.metaproperties);
    this.assets = new Map(seed.assets.map((raw) => [raw.id, fromSeedAsset(raw, this.taxonomy, now, warn)]));
    this.trash = new Map(
      (seed.trash ?? []).map((raw) => [
        raw.id,
        {
          asset: fromSeedAsset(raw, this.taxonomy, now, warn),
          dateRemoved: typeof raw.dateRemoved === 'string' ? raw.dateRemoved : bynderTimestamp(now),
        },
      ]),
    );
  }

  public media(id: string): StoredAsset | undefined {
    return this.assets.get(id);
  }

  public allMedia(): StoredAsset[] {
    return [...this.assets.values()];
  }

  /** Moves an asset to the trash; false when there is no such (live) asset. */
  public deleteMedia(id: string): boolean {
    const asset = this.assets.get(id);
    if (!asset) return false;
    this.assets.delete(id);
    this.trash.set(id, { asset, dateRemoved: bynderTimestamp(this.now()) });
    return true;
  }

  /**
   * Applies an accepted modify. An asset deleted between the 202 and now is left alone, as the
   * write has nothing to land on.
   */
  public applyPatch(id: string, patch: MediaPatch): void {
    const asset = this.assets.get(id);
    if (!asset) return;
    for (const [field, value] of Object.entries(patch.fields)) {
      // isPublic is irreversible once true (facts 3.3): a later false is ignored.
      if (field === 'isPublic' && asset.fields.isPublic === true && value === false) continue;
      asset.fields[field] = value;
    }
    for (const [metapropertyId, value] of patch.values) {
      if (value === null) asset.values.delete(metapropertyId);
      else asset.values.set(metapropertyId, value);
    }
    asset.fields.dateModified = bynderTimestamp(this.now());
  }

  /** Live assets per option id (for `count=1` on metaproperties), counted in one pass. */
  public optionCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const asset of this.assets.values()) {
      for (const value of asset.values.values()) {
        if (Array.isArray(value)) for (const id of value) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    return counts;
  }

  public renderMedia(asset: StoredAsset, view: MediaView): MediaJson {
    return renderMedia(asset, this.taxonomy, view);
  }

  public trashed(view: MediaView): TrashedMedia[] {
    return [...this.trash.values()].map(({ asset, dateRemoved }) => ({
      ...renderMedia(asset, this.taxonomy, view),
      dateRemoved,
    }));
  }

  public metaproperties(options: boolean): Record<string, SeedMetaproperty> {
    return Object.fromEntries(
      this.taxonomy.entries().map(([key, mp]) => [key, renderMetaproperty(mp, { options })]),
    );
  }

  public snapshot(view: MediaView): PortalSnapshot {
    return {
      metaproperties: this.metaproperties(true),
      assets: this.allMedia().map((asset) => renderMedia(asset, this.taxonomy, view)),
      trash: this.trashed(view),
    };
  }
}
