import type { Media, MetapropertyListing } from './api-types';

/** Form fields for `POST /api/v4/media/{id}/`, e.g. `{ description: 'x', 'metaproperty.<id>': '<optionId>,<optionId>' }`. */
export type MediaForm = Record<string, string>;

export interface MediaOptionChange {
  kind: 'add' | 'remove';
  mediaId: string;
  metapropertyId: string;
  optionIds: readonly string[];
}

export interface NewOption {
  name: string;
  label: string;
}

export interface CreatedOption {
  kind: 'created' | 'exists';
  id: string;
}

/**
 * The Bynder operations this app performs, one method per endpoint. `BynderClient` implements it
 * over HTTP; every method throws the errors of ./errors.ts and never returns a partial answer.
 */
export interface BynderApi {
  /**
   * All metaproperties, each with all of its options (paged to completion; nested options kept
   * where the listing embeds them), and those left out because they cannot be read, each with why.
   * `embedOptions: false` lists without options and pages every option list: for a portal known
   * to hold a large taxonomy, whose embedded options would be paged again anyway.
   */
  listMetaproperties(options?: { embedOptions?: boolean }): Promise<MetapropertyListing>;
  /** One asset; throws BynderNotFoundError when it does not exist. */
  getMedia(id: string): Promise<Media>;
  /**
   * One page (`page`, default 1) of the assets Bynder's `property_<metapropertyName>=<value>` filter
   * answers, at most `limit` (default 2). For a text metaproperty how Bynder filters is undocumented
   * (exact, substring, any case, or not at all): the caller checks each asset's own value.
   */
  findMediaByProperty(
    metapropertyName: string,
    value: string,
    limit?: number,
    page?: number,
  ): Promise<Media[]>;
  /** The assets among `ids` that exist (`GET /api/v4/media/?ids=`, 100 ids a request); order not kept. */
  listMediaByIds(ids: readonly string[]): Promise<Media[]>;
  /** Modify an asset (Bynder answers 202 and applies it later); throws BynderNotFoundError for an unknown id. */
  updateMedia(id: string, form: MediaForm): Promise<void>;
  /** Delete an asset to Bynder's trash; throws BynderNotFoundError when it is already gone. */
  deleteMedia(id: string): Promise<void>;
  /**
   * Add (`add`) or remove (`remove`) options of one metaproperty on one asset, its other options
   * untouched (`POST`/`DELETE /api/media/options`). Applied on Bynder's success answer.
   */
  changeMediaOptions(change: MediaOptionChange): Promise<void>;
  /**
   * Create an option of a metaproperty; a name Bynder already has answers that option's id
   * (`exists`), so a create repeated after a lost answer, or raced by another, ends with one option.
   */
  createMetapropertyOption(metapropertyId: string, option: NewOption): Promise<CreatedOption>;
  /** One cheap authenticated request that proves the portal, the credentials and read access. */
  testConnection(): Promise<void>;
}
