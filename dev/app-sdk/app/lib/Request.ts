import { Headers } from './Headers';

export enum HttpMethod {
  GET = 'GET',
  POST = 'POST',
  PUT = 'PUT',
  DELETE = 'DELETE',
  PATCH = 'PATCH',
  HEAD = 'HEAD',
  TRACE = 'TRACE',
  OPTIONS = 'OPTIONS',
  CONNECT = 'CONNECT',
}

export interface QueryParams {
  [name: string]: string | string[];
}

/** An inbound HTTP request, as `onAuthorizationGrant` receives the OAuth callback. */
export class Request {
  public readonly headers: Headers;
  private parsedJson?: unknown;
  private jsonParsed = false;

  public constructor(
    public readonly method: HttpMethod,
    public readonly path: string,
    public readonly params: QueryParams,
    headers: string[][],
    private readonly rawBody: Uint8Array | null,
  ) {
    this.headers = new Headers(headers);
  }

  public get body(): Uint8Array {
    return this.rawBody ?? new Uint8Array(0);
  }

  /** The body parsed as UTF-8 JSON (once); null for an empty body. */
  public get bodyJSON(): unknown {
    if (!this.jsonParsed) {
      const text = Buffer.from(this.body).toString('utf8');
      this.parsedJson = text.length === 0 ? null : (JSON.parse(text) as unknown);
      this.jsonParsed = true;
    }
    return this.parsedJson;
  }

  /** The Content-Type without parameters, or null. */
  public get contentType(): string | null {
    const value = this.headers.get('content-type');
    return value === undefined ? null : (value.split(';')[0] ?? '').trim();
  }
}
