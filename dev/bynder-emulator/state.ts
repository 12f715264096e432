import type { MediaPatch } from './media-form';
import { CANONICAL_VIEW, renderMedia, type MediaJson, type MediaView } from './media-json';
import { loadSeed, type Seed, type SeedMetaproperty } from './seed';
import { bynderTimestamp, fromSeedAsset, type StoredAsset } from './stored-asset';
import { renderMetaproperty, Taxonomy } from './taxonomy';
import { bynderId, DEFAULT_BRANDS, type SeedBrand, type UploadedFile } from './uploads';

/** Who removed an asset, as the trash listing names them. */
export interface Remover {
  username: string;
  userId: string;
}

/** A deleted asset, as a state dump holds it (the whole asset, so the dump loads as a seed). */
export type TrashedMedia = MediaJson & Remover & { dateRemoved: string };

/** One item of `GET /api/trash/media/`, as Bynder's trash OpenAPI gives it. */
export interface TrashItem extends Remover {
  id: string;
  name: string;
  dateRemoved: string;
  dateCreated: string;
}

/** The emulator has no user accounts: every removal is by this one user. */
export const EMULATOR_USER: Remover = {
  username: 'api-user@emulator.invalid',
  userId: '00000000-0000-0000-0000000000000001',
};

interface TrashEntry extends Remover {
  asset: StoredAsset;
  dateRemoved: string;
}

/** The portal as data; a dump of it (with `requests`) is itself a valid seed. */
export interface PortalSnapshot {
  metaproperties: Record<string, SeedMetaproperty>;
  assets: MediaJson[];
  trash: TrashedMedia[];
  brands: SeedBrand[];
}

/**
 * One file of an uploaded asset, as the asset's `mediaItems` lists it in a dump: its size and
 * S3-style ETag, never its bytes. Version 1 is the file the asset was created from.
 */
export interface MediaFile {
  id: string;
  type: 'original';
  version: number;
  fileName: string;
  size: number;
  etag: string;
  importId: string;
  dateCreated: string;
  active: boolean;
}

const EMPTY_SEED: Seed = { metaproperties: {}, assets: [] };

/**
 * The in-memory portal: metaproperties with options, assets and trash. No HTTP here; routes read
 * and change it through these methods only.
 */
export class PortalState {
  public taxonomy = new Taxonomy({});
  private assets = new Map<string, StoredAsset>();
  private trash = new Map<string, TrashEntry>();
  private initial: Seed = EMPTY_SEED;
  public brands: SeedBrand[] = DEFAULT_BRANDS;
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
    this.brands = structuredClone(seed.brands ?? DEFAULT_BRANDS);
    this.assets = new Map(seed.assets.map((raw) => [raw.id, fromSeedAsset(raw, this.taxonomy, now, warn)]));
    this.trash = new Map(
      (seed.trash ?? []).map(({ username, userId, ...raw }) => [
        raw.id,
        {
          asset: fromSeedAsset(raw, this.taxonomy, now, warn),
          dateRemoved: typeof raw.dateRemoved === 'string' ? raw.dateRemoved : bynderTimestamp(now),
          username: typeof username === 'string' ? username : EMULATOR_USER.username,
          userId: typeof userId === 'string' ? userId : EMULATOR_USER.userId,
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

  /** Whether `id` names a brand or a sub-brand of the portal (a save's `brandId`). */
  public hasBrand(id: string): boolean {
    const walk = (brands: SeedBrand[]): boolean =>
      brands.some((brand) => brand.id === id || walk(brand.subBrands ?? []));
    return walk(this.brands);
  }

  /**
   * A new asset from a converted upload, with the save's fields and values already parsed: it
   * exists whole from the start (there is no moment with a half-described asset).
   */
  public createMedia(id: string, file: UploadedFile, importId: string, patch: MediaPatch): StoredAsset {
    const now = bynderTimestamp(this.now());
    const extension = extensionOf(file.filename);
    const asset = fromSeedAsset(
      {
        id,
        name: file.filename.replace(/\.[^.]*$/, ''),
        extension: extension === '' ? [] : [extension],
        fileSize: file.size,
        mediaItems: [mediaFile(file, importId, 1, now)],
        dateCreated: now,
      },
      this.taxonomy,
      this.now(),
      () => undefined,
    );
    this.assets.set(id, asset);
    this.applyFields(asset, patch);
    asset.fields.dateModified = now;
    return asset;
  }

  /** A new version of an asset's file: the new one becomes the active original. */
  public addVersion(asset: StoredAsset, file: UploadedFile, importId: string): MediaFile {
    const now = bynderTimestamp(this.now());
    const items = Array.isArray(asset.fields.mediaItems) ? (asset.fields.mediaItems as MediaFile[]) : [];
    const version = items.reduce((max, item) => Math.max(max, item.version), 0) + 1;
    const added = mediaFile(file, importId, version, now);
    asset.fields.mediaItems = [...items.map((item) => ({ ...item, active: false })), added];
    asset.fields.fileSize = file.size;
    const extension = extensionOf(file.filename);
    if (extension !== '') asset.fields.extension = [extension];
    asset.fields.dateModified = now;
    return added;
  }

  /** Moves an asset to the trash; false when there is no such (live) asset. */
  public deleteMedia(id: string): boolean {
    const asset = this.assets.get(id);
    if (!asset) return false;
    this.assets.delete(id);
    this.trash.set(id, { asset, dateRemoved: bynderTimestamp(this.now()), ...EMULATOR_USER });
    return true;
  }

  /**
   * Applies an accepted modify. An asset deleted between the 202 and now is left alone, as the
   * write has nothing to land on.
   */
  public applyPatch(id: string, patch: MediaPatch): void {
    const asset = this.assets.get(id);
    if (!asset) return;
    this.applyFields(asset, patch);
    asset.fields.dateModified = bynderTimestamp(this.now());
  }

  /**
   * Adds or removes option ids of one metaproperty on one asset, leaving its other options alone.
   * ASSUMPTION: on a single select an added option replaces the one held (it holds one at most).
   */
  public changeAssetOptions(
    id: string,
    metapropertyId: string,
    optionIds: string[],
    kind: 'add' | 'remove',
  ): void {
    const asset = this.assets.get(id);
    if (!asset) return;
    const held = asset.values.get(metapropertyId);
    const current = Array.isArray(held) ? held : [];
    const multiple = this.taxonomy.get(metapropertyId)?.isMultiselect;
    const next =
      kind === 'remove'
        ? current.filter((optionId) => !optionIds.includes(optionId))
        : multiple === true || multiple === 1
          ? [...new Set([...current, ...optionIds])]
          : optionIds.slice(-1);
    if (next.length === 0) asset.values.delete(metapropertyId);
    else asset.values.set(metapropertyId, next);
    asset.fields.dateModified = bynderTimestamp(this.now());
  }

  private applyFields(asset: StoredAsset, patch: MediaPatch): void {
    for (const [field, value] of Object.entries(patch.fields)) {
      // isPublic is irreversible once true: a later false is ignored.
      if (field === 'isPublic' && asset.fields.isPublic === true && value === false) continue;
      asset.fields[field] = value;
    }
    for (const [metapropertyId, value] of patch.values) {
      if (value === null) asset.values.delete(metapropertyId);
      else asset.values.set(metapropertyId, value);
    }
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

  /** The trash as `GET /api/trash/media/` lists it, in removal order (callers sort and page). */
  public trashItems(): TrashItem[] {
    return [...this.trash.values()].map(({ asset, dateRemoved, username, userId }) => ({
      id: asset.id,
      name: String(asset.fields.name),
      dateRemoved,
      dateCreated: String(asset.fields.dateCreated),
      username,
      userId,
    }));
  }

  /**
   * The portal in the emulator's canonical form (JSON booleans, text as strings: CANONICAL_VIEW),
   * whatever the rendering settings, so it is a stable oracle for tests and a valid seed.
   */
  public snapshot(): PortalSnapshot {
    return {
      metaproperties: Object.fromEntries(
        this.taxonomy
          .entries()
          .map(([key, mp]) => [key, renderMetaproperty(mp, { options: true, booleansAsNumbers: false })]),
      ),
      assets: this.allMedia().map((asset) => renderMedia(asset, this.taxonomy, CANONICAL_VIEW)),
      trash: [...this.trash.values()].map(({ asset, dateRemoved, username, userId }) => ({
        ...renderMedia(asset, this.taxonomy, CANONICAL_VIEW),
        dateRemoved,
        username,
        userId,
      })),
      brands: structuredClone(this.brands),
    };
  }
}

function extensionOf(filename: string): string {
  const match = /\.([^.]+)$/.exec(filename);
  return match?.[1]?.toLowerCase() ?? '';
}

function mediaFile(file: UploadedFile, importId: string, version: number, dateCreated: string): MediaFile {
  return {
    id: bynderId(),
    type: 'original',
    version,
    fileName: file.filename,
    size: file.size,
    etag: file.etag,
    importId,
    dateCreated,
    active: true,
  };
}
