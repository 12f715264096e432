import { MAX_DETAIL_LENGTH } from './constants';
import {
  BynderApiError,
  BynderAuthError,
  type BynderError,
  BynderListingNotFoundError,
  BynderNotFoundError,
  BynderPermissionError,
  BynderRateLimitError,
  BynderUnavailableError,
} from './errors';
import { type BynderRoute, describeRoute, LIST_MEDIA_ROUTE, OAUTH_TOKEN_ROUTE } from './routes';

export interface FailedResponse {
  status: number;
  route: BynderRoute;
  /** Bynder's message (see readBynderMessage), already redacted by the caller. */
  message: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Access denied',
  404: 'Not found',
  408: 'Request timeout',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

/**
 * Bynder's own words for the failure: `message` of its v4 envelope (`{message, statuscode}`), an OAuth
 * `error_description`/`error`, or a short plain-text body; HTML pages (gateways, WAF) are not echoed.
 * `redact` runs on the whole text before it is cut: a secret straddling the cut would no longer be
 * recognised, and its first characters would travel on.
 */
export function readBynderMessage(body: unknown, status: number, redact: (text: string) => string): string {
  let message: unknown;
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    message = record.message ?? record.error_description ?? record.error;
  } else if (typeof body === 'string' && body.trim() !== '' && !body.trimStart().startsWith('<')) {
    message = body;
  }
  // Redacted before and after whitespace is folded: a secret may hold a space or be split by a newline.
  const text = typeof message === 'string' ? redact(redact(message).replace(/\s+/g, ' ').trim()) : '';
  if (text === '') return STATUS_TEXT[status] ?? `HTTP ${status}`;
  return text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH)}…` : text;
}

/** The one place that decides which error a non-2xx answer becomes, and what the message tells the user. */
export function classifyResponse({ status, route, message: said }: FailedResponse): BynderError {
  const name = describeRoute(route);
  const isTokenRoute = route === OAUTH_TOKEN_ROUTE;
  switch (true) {
    case status === 401 || (isTokenRoute && status === 400):
      return new BynderAuthError(
        status,
        name,
        isTokenRoute
          ? `${said}; check the OAuth client id and client secret in the app settings`
          : `${said}; check the permanent token / client credentials in the app settings`,
      );
    case status === 403:
      return new BynderPermissionError(status, name, `${said}; the token's user needs ${route.needs}`);
    case status === 404 && route === LIST_MEDIA_ROUTE:
      return new BynderListingNotFoundError(
        status,
        name,
        `${said}; the media listing documents 404 only for an unknown asset id filter, which this request does not carry, so no record is judged by it; check the portal address in the app's Connection settings if this repeats`,
      );
    case status === 404:
      return new BynderNotFoundError(
        status,
        name,
        `${said}; check the id (Bynder answers 404 for unknown ids)`,
      );
    case status === 429:
      return new BynderRateLimitError(
        status,
        name,
        `${said}; Bynder's rate limit was hit and it blocks further requests until the portal has been quiet for a while (about 5 minutes); lower the requests per second in the app settings if this repeats`,
      );
    case status === 408 || status >= 500:
      return new BynderUnavailableError(
        name,
        `${status} ${said}; Bynder is having trouble, try again later`,
        status,
      );
    case status >= 300 && status < 400:
      return new BynderApiError(
        status,
        name,
        `${said}; redirects are not followed: set the portal to the address Bynder serves the API on`,
      );
    default:
      return new BynderApiError(status, name, said);
  }
}
