// Client limits and defaults. Bynder's limits: https://api.bynder.com/docs/getting-started.

/** A stalled response ends after this long (Bynder publishes no timeout; large listings take seconds). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Retries after the first attempt, for 5xx, timeouts and connection resets only. */
export const DEFAULT_RETRIES = 3;
/** Backoff before retry n is random in [0, min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2^n)) (full jitter). */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 8_000;
/** Bynder's maximum `limit` for options and media pages. */
export const PAGE_SIZE = 1_000;
/** A runaway paging loop stops here (a million options is far past Bynder's "megaproperty" warning). */
export const MAX_OPTION_PAGES = 1_000;
/** Default `limit` for a lookup by property: two is enough to tell "one match" from "ambiguous". */
export const DEFAULT_FIND_LIMIT = 2;
/**
 * Ids per `GET /api/v4/media/?ids=` request: 100 ids of 36 characters keep the URL under 4 kB
 * (servers commonly refuse 8 kB and more), and 100 assets make a small answer.
 */
export const IDS_PER_MEDIA_READ = 100;
/** OAuth tokens are renewed this long before they expire (capped at half the lifetime for short tokens). */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;
/** Used when the token endpoint omits `expires_in` (Bynder's usual lifetime). */
export const DEFAULT_TOKEN_LIFETIME_S = 3_600;
/** Scopes requested with client credentials; Bynder grants their intersection with the user's rights. */
export const OAUTH_SCOPES = 'asset:read asset:write meta.assetbank:read';
/** Bynder's messages are echoed into ours; longer ones are cut here. */
export const MAX_DETAIL_LENGTH = 300;
/**
 * The most a read (GET: the metaproperty listing, a page of options or media) may answer. A listing
 * with every option embedded is the largest answer we read: a few hundred bytes per option, so 64 MiB
 * holds well over 100,000 options; past it the read fails rather than hold the worker's memory.
 */
export const MAX_READ_ANSWER_BYTES = 64 * 1024 * 1024;
/**
 * The most any other request (modify, delete, OAuth token) may answer: Bynder answers them with a
 * status and a short JSON message (a few hundred bytes); 64 KiB leaves room for an error page from a
 * proxy. A bigger answer ends the request as a failure instead of being buffered.
 */
export const MAX_WRITE_ANSWER_BYTES = 64 * 1024;
export const USER_AGENT = 'bynder-asset-sync-ocp-app';
/**
 * Metaproperty types whose values are options, sent as option ids; text, longtext and date values are
 * sent as they are (https://api.bynder.com/reference/post_api-v4-media-id). The one list of them.
 */
export const OPTION_METAPROPERTY_TYPES: ReadonlySet<string> = new Set(['select', 'select2', 'autocomplete']);
/**
 * Upload chunk size: the 5 MiB every official SDK sends (S3's minimum part size for a multipart
 * upload), and the one buffer an upload holds; smaller when the init's signed policy caps a part lower.
 */
export const DEFAULT_UPLOAD_CHUNK_BYTES = 5 * 1024 * 1024;
/** S3 numbers parts 1 to 10,000; a file needing more parts cannot be uploaded in this flow. */
export const MAX_UPLOAD_CHUNKS = 10_000;
/** Imports per poll request: 100 ids of 36 characters keep the URL under 4 kB, as for media reads. */
export const IMPORTS_PER_POLL = 100;
/** Pause before each poll: the SDKs poll every 2 to 5 s (conversion usually takes 10 to 15 s). */
export const DEFAULT_POLL_INTERVAL_MS = 2_000;
/** Polls before an import still converting is given up (the SDKs' 60 tries): about 2 minutes. */
export const DEFAULT_MAX_POLLS = 60;
/** Saves answered 303 "not converted yet" before the upload is given up (each after another poll round). */
export const MAX_EARLY_SAVES = 3;
/** The most an S3 answer may be (an XML error document is a few hundred bytes). */
export const MAX_S3_ANSWER_BYTES = 64 * 1024;
