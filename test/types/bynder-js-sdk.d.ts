// Types for the part of Bynder's JS SDK (@bynder/bynder-js-sdk 2.5.2, plain JavaScript, no types of
// its own) that the emulator contract test drives, read from its dist/bynder-js-sdk.js.
declare module '@bynder/bynder-js-sdk' {
  /** Query or form parameters; the SDK serialises them with query-string (arrays repeat the key). */
  type Params = Record<string, string | number | boolean | string[] | undefined>;

  /** simple-oauth2's AccessToken, which getTokenClientCredentials() resolves to. */
  interface AccessToken {
    token: {
      access_token: string;
      token_type?: string;
      expires_in?: number;
      expires_at?: Date;
      scope?: string;
      [field: string]: unknown;
    };
    expired(expirationWindowSeconds?: number): boolean;
  }

  interface BynderOptions {
    /** The portal's API root, e.g. https://portal.getbynder.com/api/ (the SDK appends v4/...). */
    baseURL: string;
    permanentToken?: string;
    clientId?: string;
    clientSecret?: string;
  }

  class Bynder {
    public constructor(options: BynderOptions);
    public getTokenClientCredentials(): Promise<AccessToken>;
    /** GET v4/metaproperties/, the keyed object turned into an array of its values. */
    public getMetaproperties(params?: Params): Promise<unknown[]>;
    public getMetaproperty(params: { id: string }): Promise<unknown>;
    /** GET v4/media/ with the params as query (plus count=false). */
    public getMediaList(params?: Params): Promise<unknown[]>;
    /** GET v4/media/{id}/ with the other params as query. */
    public getMediaInfo(params: Params & { id: string }): Promise<unknown>;
    /** GET v4/media/ with count=true; resolves to the answer's count.total. */
    public getMediaTotal(params?: Params): Promise<number>;
    /** POST v4/media/ with every param (id included) form-encoded. */
    public editMedia(params: Params & { id: string }): Promise<unknown>;
    /** DELETE v4/media/{id}/; resolves to {} on 204. */
    public deleteMedia(params: { id: string }): Promise<unknown>;
    /**
     * The whole upload flow: endpoint and init, 5 MiB chunks to S3 each registered (POST v4/upload/
     * with `id`), finalise, poll every 2 s until done, then POST v4/media/save/ with `data` and the
     * importId. Resolves to the save's answer.
     */
    public uploadFile(file: {
      filename: string;
      body: Buffer;
      length: number;
      data: Params & { brandId: string };
    }): Promise<unknown>;
  }

  export = Bynder;
}
