import axios, { type AxiosInstance } from 'axios';
import pLimit from 'p-limit';
import type { z } from 'zod';

import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';

import type { Credentials } from '../config';
import { redactSecrets } from '../redact';
import { rememberIssuedToken, secretsOf } from '../secret-values';
import { type Clock, type Logger, systemClock } from '../runtime-ports';
import type { BynderClientOptions, RequestDeadline } from './client-options';
import { guardedLookup } from '../net/address-guard';
import { type AccessTokenSource, createAccessTokenSource, type IssuedToken } from './access-token';
import type { Media, Metaproperty, MetapropertyListing } from './api-types';
import { computeBackoffMs } from './backoff';
import type { BynderApi, CreatedOption, MediaForm, MediaOptionChange, NewOption } from './bynder-api';
import { classifyResponse, readBynderMessage } from './classify-response';
import {
  DEFAULT_FIND_LIMIT,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  IDS_PER_MEDIA_READ,
  MAX_OPTION_PAGES,
  MAX_READ_ANSWER_BYTES,
  MAX_WRITE_ANSWER_BYTES,
  OAUTH_SCOPES,
  PAGE_SIZE,
  USER_AGENT,
} from './constants';
import {
  BynderDeadlineError,
  type BynderError,
  BynderInvalidResponseError,
  BynderNotFoundError,
  BynderUnavailableError,
  BynderUploadError,
} from './errors';
import { encodeMediaForm } from './media-form';
import { needsOptionPaging, OPTION_PAGING_CONCURRENCY } from './metaproperty-listing';
import {
  createdOptionSchema,
  mediaListSchema,
  mediaSchema,
  metapropertyListingSchema,
  type OptionPage,
  optionPageSchema,
  tokenResponseSchema,
} from './response-schemas';
import {
  type BynderRoute,
  buildPath,
  DELETE_MEDIA_ROUTE,
  ADD_MEDIA_OPTIONS_ROUTE,
  CREATE_METAPROPERTY_OPTION_ROUTE,
  describeRoute,
  FINALISE_UPLOAD_ROUTE,
  GET_MEDIA_ROUTE,
  LIST_BRANDS_ROUTE,
  LIST_MEDIA_ROUTE,
  LIST_METAPROPERTIES_ROUTE,
  LIST_METAPROPERTY_OPTIONS_ROUTE,
  OAUTH_TOKEN_ROUTE,
  POLL_IMPORTS_ROUTE,
  REGISTER_CHUNK_ROUTE,
  REMOVE_MEDIA_OPTIONS_ROUTE,
  SAVE_NEW_ASSET_ROUTE,
  SAVE_NEW_VERSION_ROUTE,
  UPDATE_MEDIA_ROUTE,
  UPLOAD_ENDPOINT_ROUTE,
  UPLOAD_INIT_ROUTE,
} from './routes';
import {
  brandListSchema,
  finaliseSchema,
  pollSchema,
  savedSchema,
  uploadEndpointSchema,
  uploadFailureSchema,
  uploadInitSchema,
} from './upload-schemas';
import type {
  Brand,
  BynderUploadApi,
  FinalisedUpload,
  PollAnswer,
  SaveAnswer,
  UploadInit,
} from './upload-types';
import { describeTransportFailure } from './transport-failure';
import { ANY_SUCCESS_STATUS, confirmWrite } from './write-answer';

export type { BynderClientOptions, RequestDeadline, ResponseInfo } from './client-options';
export { redactSecrets } from '../redact';

interface Call {
  route: BynderRoute;
  /** Path with its segments already encoded (see buildPath). */
  path: string;
  query?: URLSearchParams;
  /** Form-encoded body. */
  form?: string;
  /** JSON body (the one route that takes one: an asset's options). */
  json?: string;
  /** Statuses that are an answer rather than a failure. */
  accept: readonly number[];
  /**
   * Reads a failure answer this route explains itself: an error returned here is thrown as is, not
   * retried (e.g. the upload's 500 with `retry: 0`). Undefined: the usual classification.
   */
  refuse?: (answer: Answer) => Error | undefined;
  /**
   * Sent at most once: a create Bynder cannot recognise when repeated (no idempotency key), so a
   * 5xx or a lost answer, after which it may have taken effect, is not retried here.
   */
  once?: boolean;
}

interface Answer {
  status: number;
  body: unknown;
}

/** A request that got no HTTP answer; the error says whether this client tries it again. */
interface NoAnswer {
  error: BynderUnavailableError;
}

interface Agents {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
}

/** Agents whose every connection passes the address guard; keep-alive, as Node's global agents. */
function guardedAgents(resolve?: LookupFunction): Agents {
  const lookup = guardedLookup(resolve);
  return {
    httpAgent: new http.Agent({ keepAlive: true, lookup }),
    httpsAgent: new https.Agent({ keepAlive: true, lookup }),
  };
}

/**
 * One pair for every client resolving through DNS, so keep-alive connections outlive a batch's
 * client. They hold nothing of an install: credentials travel in each request's headers.
 */
let sharedAgents: Agents | undefined;

/**
 * The metaproperty listing, with each one's options embedded or without them (`options=0`: fast
 * even on large taxonomies, which can time out otherwise:
 * https://api.bynder.com/reference/get_api-v4-metaproperties).
 */
function metapropertyListCall(embedOptions = false): Call {
  const route = LIST_METAPROPERTIES_ROUTE;
  const query = new URLSearchParams({ options: embedOptions ? '1' : '0' });
  return { route, path: route.path, query, accept: [200] };
}

/** Bynder's REST API over axios: auth, timeouts, retries, typed errors, redaction. One method per endpoint. */
export class BynderClient implements BynderApi, BynderUploadApi {
  private readonly http: AxiosInstance;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly random: () => number;
  private readonly beforeRequest: (() => Promise<void>) | undefined;
  private readonly onResponse: BynderClientOptions['onResponse'];
  private readonly deadline: RequestDeadline | undefined;
  private readonly tokens: AccessTokenSource;
  private readonly credentials: Credentials;

  public constructor(options: BynderClientOptions) {
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = Math.max(0, options.retries ?? DEFAULT_RETRIES);
    this.random = options.random ?? Math.random;
    this.beforeRequest = options.beforeRequest;
    this.onResponse = options.onResponse;
    this.deadline = options.deadline;
    this.credentials = options.credentials;
    this.tokens = createAccessTokenSource(
      options.credentials,
      () => this.requestToken(),
      this.clock,
      options.portalUrl,
      options.install,
    );
    this.http = axios.create({
      baseURL: options.portalUrl,
      timeout: this.timeoutMs,
      // A redirect could carry the Authorization header elsewhere; Bynder's API does not redirect.
      maxRedirects: 0,
      // Every status comes back as an answer; classifyResponse decides what it means.
      validateStatus: () => true,
      headers: { Accept: 'application/json', 'User-Agent': USER_AGENT },
      // Every socket connects through the address guard: a host name that resolves to this host or a
      // private network is refused before a connection is attempted. No proxy: it would resolve the
      // portal itself, past the guard.
      ...(options.lookup === undefined ? (sharedAgents ??= guardedAgents()) : guardedAgents(options.lookup)),
      proxy: false,
    });
  }

  /**
   * One listing with options embedded; only lists that may be incomplete are paged
   * (metaproperty-listing.ts). A metaproperty that cannot be read, in the listing or in its option
   * pages, is left out with a warning naming it and what is wrong: the others stay usable.
   */
  public async listMetaproperties(options: { embedOptions?: boolean } = {}): Promise<MetapropertyListing> {
    let listing: MetapropertyListing;
    try {
      listing = await this.readJson(
        metapropertyListCall(options.embedOptions ?? true),
        metapropertyListingSchema,
      );
    } catch (error) {
      if (options.embedOptions === false) throw error;
      // No answer at all (timeout, or over the read cap): Bynder advises leaving options out on big
      // taxonomies, so list without them and page every option list instead.
      if (!(error instanceof BynderUnavailableError) || error.status !== undefined) throw error;
      this.logger.warn(
        `${error.message}; listing metaproperties without options and paging each option list`,
      );
      listing = await this.readJson(metapropertyListCall(false), metapropertyListingSchema);
    }
    // Keys may differ from names in casing: only the values count.
    const { metaproperties, skipped } = listing;
    const limit = pLimit(OPTION_PAGING_CONCURRENCY);
    const failed: { error?: unknown } = {};
    const unreadable = new Set<Metaproperty>();
    await Promise.all(
      metaproperties.filter(needsOptionPaging).map((metaproperty) =>
        limit(async () => {
          if ('error' in failed) return; // one failure fails the listing: start nothing more
          try {
            const paged = await this.listOptions(metaproperty.id);
            if (paged.problems.length === 0) metaproperty.options = paged.options;
            else {
              unreadable.add(metaproperty);
              skipped.push({
                key: metaproperty.name,
                id: metaproperty.id,
                name: metaproperty.name,
                problem: paged.problems.slice(0, 3).join('; '),
              });
            }
          } catch (error) {
            if (!('error' in failed)) failed.error = error;
          }
        }),
      ),
    );
    if ('error' in failed) throw failed.error;
    for (const entry of skipped) {
      const known = entry.name ?? entry.id;
      this.logger.warn(
        this.redact(
          `Bynder ${describeRoute(LIST_METAPROPERTIES_ROUTE)}: left out metaproperty ${JSON.stringify(known ?? entry.key)}${entry.id !== undefined && entry.id !== known ? ` (id ${entry.id})` : ''}, which cannot be read: ${entry.problem}`,
        ),
      );
    }
    return { metaproperties: metaproperties.filter((mp) => !unreadable.has(mp)), skipped };
  }

  public async getMedia(id: string): Promise<Media> {
    return this.readJson(
      { route: GET_MEDIA_ROUTE, path: this.mediaPath(GET_MEDIA_ROUTE, id), accept: [200] },
      mediaSchema,
    );
  }

  public async findMediaByProperty(
    metapropertyName: string,
    value: string,
    limit = DEFAULT_FIND_LIMIT,
    page = 1,
  ): Promise<Media[]> {
    const query = new URLSearchParams({
      [`property_${metapropertyName}`]: value,
      limit: String(Math.min(Math.max(1, Math.trunc(limit)), PAGE_SIZE)),
    });
    if (page > 1) query.set('page', String(Math.trunc(page)));
    return this.readMediaPage(query);
  }

  public async listMediaByIds(ids: readonly string[]): Promise<Media[]> {
    const found: Media[] = [];
    for (let start = 0; start < ids.length; start += IDS_PER_MEDIA_READ) {
      const chunk = ids.slice(start, start + IDS_PER_MEDIA_READ);
      // `limit` as large as the chunk: the default page (50) would cut a chunk of 100 in half.
      const query = new URLSearchParams({ ids: chunk.join(','), limit: String(chunk.length) });
      found.push(...(await this.readMediaPage(query)));
    }
    return found;
  }

  public async updateMedia(id: string, form: MediaForm): Promise<void> {
    // Applied only on Bynder's own success answer (write-answer.ts): a 200 login page is not success.
    const path = this.mediaPath(UPDATE_MEDIA_ROUTE, id);
    const answer = await this.send({
      route: UPDATE_MEDIA_ROUTE,
      path,
      form: encodeMediaForm(form),
      accept: ANY_SUCCESS_STATUS,
    });
    confirmWrite('modify', UPDATE_MEDIA_ROUTE, answer, (text) => this.redact(text));
  }

  public async deleteMedia(id: string): Promise<void> {
    const path = this.mediaPath(DELETE_MEDIA_ROUTE, id);
    const answer = await this.send({ route: DELETE_MEDIA_ROUTE, path, accept: ANY_SUCCESS_STATUS });
    confirmWrite('delete', DELETE_MEDIA_ROUTE, answer, (text) => this.redact(text));
  }

  public async changeMediaOptions(change: MediaOptionChange): Promise<void> {
    const route = change.kind === 'add' ? ADD_MEDIA_OPTIONS_ROUTE : REMOVE_MEDIA_OPTIONS_ROUTE;
    const json = JSON.stringify({
      asset_id: change.mediaId,
      metaproperty_id: change.metapropertyId,
      metaproperty_option_ids: change.optionIds,
    });
    const answer = await this.send({ route, path: route.path, json, accept: ANY_SUCCESS_STATUS });
    confirmWrite(change.kind === 'add' ? 'add_options' : 'remove_options', route, answer, (text) =>
      this.redact(text),
    );
  }

  public async createMetapropertyOption(metapropertyId: string, option: NewOption): Promise<CreatedOption> {
    const route = CREATE_METAPROPERTY_OPTION_ROUTE;
    const path = buildPath(route.path, { id: metapropertyId });
    if (path === undefined) {
      throw new BynderNotFoundError(
        404,
        describeRoute(route),
        `metaproperty id "${metapropertyId}" cannot be used in a path (nothing was sent)`,
      );
    }
    // Bynder takes the option as a JSON string in the form field `data`; its 400 for a name it
    // already has carries that option's id, so a repeat (after a lost answer) or a race ends with
    // one option. Retrying is therefore safe here.
    const form = new URLSearchParams({ data: JSON.stringify({ name: option.name, label: option.label }) });
    const answer = await this.send({ route, path, form: form.toString(), accept: [201, 400] });
    const parsed = createdOptionSchema.safeParse(answer.body);
    if (answer.status === 201 && parsed.success && parsed.data.id !== undefined) {
      return { kind: 'created', id: parsed.data.id };
    }
    if (answer.status === 400 && parsed.success && parsed.data.existingUUID !== undefined) {
      return { kind: 'exists', id: parsed.data.existingUUID };
    }
    if (answer.status === 400) {
      throw classifyResponse({
        status: 400,
        route,
        message: readBynderMessage(answer.body, 400, (text) => this.redact(text)),
      });
    }
    throw new BynderInvalidResponseError(describeRoute(route), 'the 201 answer has no option "id"');
  }

  public async getUploadEndpoint(): Promise<string> {
    const route = UPLOAD_ENDPOINT_ROUTE;
    return this.readJson({ route, path: route.path, accept: [200] }, uploadEndpointSchema);
  }

  public async initUpload(fileName: string): Promise<UploadInit> {
    const route = UPLOAD_INIT_ROUTE;
    const form = new URLSearchParams({ filename: fileName }).toString();
    // Bynder's 400 here is about the file name alone (text/plain `{"filename":"'x' is not a valid filename"}`).
    const refuse = (answer: Answer) =>
      answer.status === 400
        ? new BynderUploadError(
            describeRoute(route),
            this.redact(
              `Bynder refuses the file name ${JSON.stringify(fileName.slice(0, 200))} (${readBynderMessage(answer.body, 400, (text) => this.redact(text))}); give the file a name with an extension, such as photo.jpg`,
            ),
            { fileAtFault: true },
          )
        : undefined;
    return this.readJson({ route, path: route.path, form, accept: [200], refuse }, uploadInitSchema);
  }

  public async registerChunk(init: UploadInit, chunkNumber: number): Promise<void> {
    const route = REGISTER_CHUNK_ROUTE;
    const form = new URLSearchParams({
      chunkNumber: String(chunkNumber),
      targetid: init.targetId,
      filename: `${init.s3Filename}/p${chunkNumber}`,
    }).toString();
    const path = this.uploadPath(route, init.uploadId);
    await this.send({
      route,
      path,
      form,
      accept: [202],
      refuse: (answer) => this.uploadRefusal(route, answer),
    });
  }

  public async finaliseUpload(init: UploadInit, chunks: number, fileName: string): Promise<FinalisedUpload> {
    const route = FINALISE_UPLOAD_ROUTE;
    const form = new URLSearchParams({
      targetid: init.targetId,
      s3_filename: `${init.s3Filename}/p${chunks}`,
      chunks: String(chunks),
      original_filename: fileName,
    }).toString();
    const path = this.uploadPath(route, init.uploadId);
    const refuse = (answer: Answer) => this.uploadRefusal(route, answer);
    return this.readJson({ route, path, form, accept: [202], refuse }, finaliseSchema);
  }

  public async pollImports(importIds: readonly string[]): Promise<PollAnswer> {
    const route = POLL_IMPORTS_ROUTE;
    const query = new URLSearchParams({ items: importIds.join(',') });
    return this.readJson({ route, path: route.path, query, accept: [200] }, pollSchema);
  }

  public async saveAsNewAsset(importId: string, form: MediaForm): Promise<SaveAnswer> {
    const route = SAVE_NEW_ASSET_ROUTE;
    const path = this.savePath(route, { importId });
    return this.save({ route, path, form: encodeMediaForm(form), accept: [201, 303] });
  }

  public async saveAsNewVersion(mediaId: string, importId: string): Promise<SaveAnswer> {
    const route = SAVE_NEW_VERSION_ROUTE;
    const path = this.savePath(route, { id: mediaId, importId });
    return this.save({ route, path, form: '', accept: [201, 303] });
  }

  public async listBrands(): Promise<Brand[]> {
    const route = LIST_BRANDS_ROUTE;
    return this.readJson({ route, path: route.path, accept: [200] }, brandListSchema);
  }

  public async testConnection(): Promise<void> {
    // The same cheap call as the schema's first step: proves portal, credentials and read access.
    // An entry the field list would leave out does not fail it.
    await this.readJson(metapropertyListCall(), metapropertyListingSchema);
  }

  /** One page of the media listing; entries without an id are counted in a warning and left out. */
  private async readMediaPage(query: URLSearchParams): Promise<Media[]> {
    const call = { route: LIST_MEDIA_ROUTE, path: LIST_MEDIA_ROUTE.path, query, accept: [200] };
    const page = await this.readJson(call, mediaListSchema);
    if (page.withoutId > 0) {
      this.logger.warn(
        `Bynder ${describeRoute(LIST_MEDIA_ROUTE)} answered ${page.withoutId} asset(s) without an id; they are left out, so a record whose asset it was finds no asset`,
      );
    }
    return page.media;
  }

  /**
   * All options of one metaproperty, 1,000 a page, until a short page. Options that cannot be read
   * are named in `problems` (the caller leaves the metaproperty out); paging goes on regardless.
   */
  private async listOptions(metapropertyId: string): Promise<OptionPage> {
    const route = LIST_METAPROPERTY_OPTIONS_ROUTE;
    const path = buildPath(route.path, { id: metapropertyId });
    if (path === undefined) {
      throw new BynderInvalidResponseError(
        describeRoute(LIST_METAPROPERTIES_ROUTE),
        `metaproperty id "${metapropertyId}" cannot be used in a path`,
      );
    }
    const all: OptionPage = { options: [], problems: [] };
    let previousFirstId: string | undefined;
    for (let page = 1; page <= MAX_OPTION_PAGES; page += 1) {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE), page: String(page) });
      const batch = await this.readJson({ route, path, query, accept: [200] }, optionPageSchema);
      const firstId = batch.options[0]?.id;
      if (firstId !== undefined && firstId === previousFirstId) {
        throw new BynderInvalidResponseError(
          describeRoute(route),
          `page ${page} repeats page ${page - 1}; the portal ignores paging`,
        );
      }
      all.options.push(...batch.options);
      all.problems.push(
        ...batch.problems.map((problem) => (page > 1 ? `page ${page}, ${problem}` : problem)),
      );
      if (batch.options.length + batch.problems.length < PAGE_SIZE) return all;
      previousFirstId = firstId;
    }
    throw new BynderInvalidResponseError(
      describeRoute(route),
      `more than ${MAX_OPTION_PAGES} pages of options; paging never ends`,
    );
  }

  /**
   * A save: 303 is Bynder's "Import not converted yet, please poll"; 201 carries the asset id. Sent
   * once: after a 5xx or a lost answer the asset (or version) may exist, and a repeat could make a
   * second one, so that failure is a BynderUploadError saying so rather than a retry.
   */
  private async save(call: Call): Promise<SaveAnswer> {
    let answer: Answer;
    try {
      answer = await this.send({ ...call, once: true });
    } catch (error) {
      if (!(error instanceof BynderUnavailableError)) throw error;
      throw new BynderUploadError(
        describeRoute(call.route),
        `${error.message}; the save may have taken effect, so it is not sent again blindly (a repeat could save the file twice)`,
        { fileAtFault: false, cause: error },
      );
    }
    if (answer.status === 303) return { kind: 'not_converted' };
    const parsed = savedSchema.safeParse(answer.body);
    if (!parsed.success) {
      throw new BynderInvalidResponseError(describeRoute(call.route), 'the answer has no "mediaid"');
    }
    return { kind: 'saved', mediaId: parsed.data };
  }

  /**
   * The upload id comes from Bynder's init; one that cannot be a path segment is Bynder's answer
   * gone wrong, not something to send.
   */
  private uploadPath(route: BynderRoute, uploadId: string): string {
    const path = buildPath(route.path, { id: uploadId });
    if (path === undefined) {
      throw new BynderInvalidResponseError(
        describeRoute(UPLOAD_INIT_ROUTE),
        `upload id "${uploadId}" cannot be used in a path`,
      );
    }
    return path;
  }

  private savePath(route: BynderRoute, values: Record<string, string>): string {
    const path = buildPath(route.path, values);
    if (path === undefined) {
      throw new BynderNotFoundError(
        404,
        describeRoute(route),
        `${JSON.stringify(values)} cannot be sent as ids (nothing was sent); check the asset id`,
      );
    }
    return path;
  }

  /**
   * The registration's and finalise's 500 `{"message":"Could not complete upload","retry":0}`:
   * Bynder says asking again cannot help, so the upload has to start over. With `retry: 1` (or no
   * hint) it is the usual 5xx, retried with backoff.
   */
  private uploadRefusal(route: BynderRoute, answer: Answer): Error | undefined {
    if (answer.status !== 500) return undefined;
    const parsed = uploadFailureSchema.safeParse(answer.body);
    if (!parsed.success) return undefined;
    const { retry, message, detail } = parsed.data;
    if (retry === undefined || !(retry === 0 || retry === false || retry === '0')) return undefined;
    const said = this.redact([message ?? 'Could not complete upload', detail].filter(Boolean).join(': '));
    return new BynderUploadError(
      describeRoute(route),
      `failed with 500 ${said}, and Bynder says not to retry it; the upload starts over`,
      { fileAtFault: false },
    );
  }

  /** Ids that cannot travel as one path segment match no asset: a 404 without sending anything. */
  private mediaPath(route: BynderRoute, id: string): string {
    const path = buildPath(route.path, { id });
    if (path === undefined) {
      throw new BynderNotFoundError(
        404,
        describeRoute(route),
        `"${id}" cannot be a Bynder asset id (nothing was sent); check the asset id`,
      );
    }
    return path;
  }

  private async requestToken(): Promise<IssuedToken> {
    if (this.credentials.kind !== 'oauth_client_credentials') {
      throw new TypeError('requestToken needs client credentials');
    }
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.credentials.clientId,
      client_secret: this.credentials.clientSecret,
      scope: OAUTH_SCOPES,
    }).toString();
    const issued = await this.readJson(
      { route: OAUTH_TOKEN_ROUTE, path: OAUTH_TOKEN_ROUTE.path, form, accept: [200, 201] },
      tokenResponseSchema,
    );
    rememberIssuedToken(this.credentials, issued.accessToken);
    return issued;
  }

  /** send() plus a light zod check of the body; a wrong shape is a BynderInvalidResponseError. */
  private async readJson<T>(call: Call, schema: z.ZodType<T>): Promise<T> {
    const answer = await this.send(call);
    const parsed = schema.safeParse(answer.body);
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
      .join('; ');
    const hint = typeof answer.body === 'string' ? ' (not JSON: is the portal address a Bynder portal?)' : '';
    throw new BynderInvalidResponseError(describeRoute(call.route), this.redact(`${problems}${hint}`));
  }

  /** The one transport: auth, timeout, retries with backoff, one token renewal on 401, typed errors. */
  private async send(call: Call): Promise<Answer> {
    const isTokenCall = call.route === OAUTH_TOKEN_ROUTE;
    let retriesUsed = 0;
    let renewed = false;
    for (;;) {
      const token = isTokenCall ? undefined : await this.tokens.get();
      // A shared token may have been issued to another client: it is a secret here too.
      if (token !== undefined && this.tokens.renewable) rememberIssuedToken(this.credentials, token);
      const outcome = await this.attempt(call, token);
      let failure: BynderError;
      if ('error' in outcome) {
        failure = outcome.error;
      } else if (call.accept.includes(outcome.status)) {
        return outcome;
      } else if (outcome.status === 401 && token !== undefined && this.tokens.renewable && !renewed) {
        // An OAuth token can expire or be revoked early: fetch a new one and replay this request once.
        this.tokens.invalidate(token);
        renewed = true;
        continue;
      } else if (outcome.status >= 200 && outcome.status < 300) {
        throw new BynderInvalidResponseError(
          describeRoute(call.route),
          `status ${outcome.status}, expected ${call.accept.join(' or ')}`,
        );
      } else {
        const refused = call.refuse?.(outcome);
        if (refused !== undefined) throw refused;
        failure = classifyResponse({
          status: outcome.status,
          route: call.route,
          message: readBynderMessage(outcome.body, outcome.status, (text) => this.redact(text)),
        });
      }
      // The error decides (5xx, 408 and transient no-answers): a 429 is surfaced at once. A call sent
      // once (an upload's save, which has no idempotency key) is never sent again.
      if (!failure.retriedWithBackoff || retriesUsed >= this.retries || call.once === true) throw failure;
      const delayMs = computeBackoffMs(retriesUsed, { random: this.random });
      if (this.deadline?.allowsStart(delayMs) === false) {
        throw new BynderDeadlineError(
          describeRoute(call.route),
          this.redact(`was not retried after "${failure.message}"`),
        );
      }
      retriesUsed += 1;
      this.logger.warn(
        this.redact(`${failure.message}; retry ${retriesUsed} of ${this.retries} in ${delayMs} ms`),
      );
      await this.clock.sleep(delayMs);
    }
  }

  /** One HTTP attempt: the answer, or what went wrong when none arrived. */
  private async attempt(call: Call, token: string | undefined): Promise<Answer | NoAnswer> {
    const routeName = describeRoute(call.route);
    // Checked on both sides of the budget's wait, which may itself take the time that was left.
    if (this.deadline?.allowsStart() === false) throw new BynderDeadlineError(routeName, 'was not sent');
    await this.beforeRequest?.();
    if (this.deadline?.allowsStart() === false) throw new BynderDeadlineError(routeName, 'was not sent');
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    if (call.form !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    if (call.json !== undefined) headers['Content-Type'] = 'application/json';
    // A deadline for the whole exchange; axios's own timeout only covers an idle socket. The caller's
    // time budget cuts it too.
    // One controller, aborted by a timer and by the budget's signal, both held here until the
    // exchange ends (a composite AbortSignal.any of a timeout can be collected early on Node 20).
    const exchange = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      exchange.abort();
    }, this.timeoutMs);
    const budget = this.deadline?.signal;
    const cut = () => exchange.abort();
    budget?.addEventListener('abort', cut, { once: true });
    const signal = exchange.signal;
    const started = performance.now();
    try {
      const response = await this.http.request<unknown>({
        method: call.route.method,
        url: call.path,
        params: call.query,
        data: call.form ?? call.json,
        headers,
        signal,
        // Reads may carry listings; every other answer is a status and a short message.
        maxContentLength: call.route.method === 'GET' ? MAX_READ_ANSWER_BYTES : MAX_WRITE_ANSWER_BYTES,
      });
      const ms = Math.round(performance.now() - started);
      await this.onResponse?.({ method: call.route.method, route: routeName, status: response.status, ms });
      // Route template, status and timing only: nothing here can hold a secret, so no redaction pass
      // on every request.
      this.logger.debug(`Bynder ${routeName} answered ${response.status} in ${ms} ms`);
      return { status: response.status, body: response.data };
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      await this.onResponse?.({ method: call.route.method, route: routeName, status: undefined, ms });
      if (this.deadline?.signal.aborted === true && !timedOut) {
        throw new BynderDeadlineError(routeName, `was cut unanswered after ${ms} ms`);
      }
      const failure = describeTransportFailure(error, {
        timedOut,
        timeoutMs: this.timeoutMs,
      });
      this.logger.debug(`Bynder ${routeName} got no answer (${failure.code}) after ${ms} ms`);
      // The axios error holds the request config (headers with the token, the form with the client
      // secret): only its code and redacted message travel on as the cause (findErrorCode reads it).
      const rawMessage = error instanceof Error ? error.message : String(error);
      const cause = Object.assign(new Error(this.redact(`${failure.code}: ${rawMessage}`)), {
        code: failure.code,
      });
      return {
        error: new BynderUnavailableError(routeName, failure.detail, undefined, { cause, noAnswer: failure }),
      };
    } finally {
      clearTimeout(timer);
      budget?.removeEventListener('abort', cut);
    }
  }

  /** Every text that leaves the client loses the credentials and the access tokens issued for them. */
  private redact(text: string): string {
    return redactSecrets(text, secretsOf(this.credentials));
  }
}
