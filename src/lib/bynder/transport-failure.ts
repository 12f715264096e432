import { PRIVATE_ADDRESS_CODE } from '../net/address-guard';

// What a request that got no HTTP answer means for us: a pure reading of the Node/axios error codes,
// decided here once. The client retries exactly what this calls retryable, and the error it throws
// carries the same answer (BynderUnavailableError.retryable), so the transport and every caller
// agree. Only timeouts, resets, refused connections and a resolver's temporary failure are retryable
// (each heals within seconds on a healthy portal); anything else (unknown host, private address, TLS
// failure) points at the portal setting and does not heal by asking again unchanged.

/** Why no answer came: what the settings form tells the person, and whether asking again can help. */
export type NoAnswerKind =
  'timeout' | 'reset' | 'refused' | 'dns' | 'private_address' | 'tls' | 'too_large' | 'other';

export interface TransportFailure {
  kind: NoAnswerKind;
  /** Shown to the user after the route template, e.g. "timed out after 30000 ms". */
  detail: string;
  retryable: boolean;
  /** The Node/axios code, kept for the sanitized cause (e.g. ECONNRESET). */
  code: string;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
/** The host name did not resolve: the portal setting is wrong (or DNS is down). */
const DNS_FAILURE_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN']);
/** The kinds that heal within seconds on a healthy portal: the only ones asked again. */
const RETRYABLE_KINDS: ReadonlySet<NoAnswerKind> = new Set(['timeout', 'reset', 'refused']);

/** Our code for an answer larger than the request may read (axios reports it as ERR_BAD_RESPONSE). */
export const ANSWER_TOO_LARGE = 'ERR_ANSWER_TOO_LARGE';
const TOO_LARGE_MESSAGE = /^maxContentLength size of (\d+) exceeded$/;
/** The client keeps a no-answer's code at the start of its sanitized cause: "ENOTFOUND: getaddrinfo …". */
const CODE_PREFIX = /^([A-Z][A-Z_]+):/;

/** The error's own code, or the first code found down its cause chain / inside an AggregateError. */
export function findErrorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === 'string' && record.code !== 'ERR_BAD_REQUEST') return record.code;
  const nested = Array.isArray(record.errors) ? record.errors[0] : record.cause;
  return findErrorCode(nested, depth + 1);
}

/** The kind of a no-answer from its code alone (a timer that fired is a timeout whatever the code). */
function kindOfCode(code: string): NoAnswerKind {
  if (code === ANSWER_TOO_LARGE) return 'too_large';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (RESET_CODES.has(code)) return 'reset';
  if (code === 'ECONNREFUSED') return 'refused';
  if (DNS_FAILURE_CODES.has(code)) return 'dns';
  if (code === PRIVATE_ADDRESS_CODE) return 'private_address';
  if (code.startsWith('ERR_TLS') || code.includes('CERT')) return 'tls';
  return 'other';
}

/**
 * EAI_AGAIN is the resolver's own "temporary failure, try again" (a DNS server that timed out or
 * refused for now), unlike ENOTFOUND, the name's own "no such host": it is asked again like a reset.
 */
const TEMPORARY_DNS_CODE = 'EAI_AGAIN';

function failureOf(kind: NoAnswerKind, code: string, detail: string): TransportFailure {
  return { kind, code, retryable: RETRYABLE_KINDS.has(kind) || code === TEMPORARY_DNS_CODE, detail };
}

export function describeTransportFailure(
  error: unknown,
  context: { timedOut: boolean; timeoutMs: number },
): TransportFailure {
  const tooLarge = error instanceof Error ? TOO_LARGE_MESSAGE.exec(error.message) : null;
  if (tooLarge) {
    const limit = Number(tooLarge[1]).toLocaleString('en-US');
    // Not retried: the same request gets the same answer, and reading it again costs as much.
    return failureOf(
      'too_large',
      ANSWER_TOO_LARGE,
      `answered more than ${limit} bytes, the most this request reads; reading stopped there`,
    );
  }
  const code = findErrorCode(error) ?? 'UNKNOWN';
  const kind = context.timedOut ? 'timeout' : kindOfCode(code);
  return failureOf(kind, code, detailOf(kind, code, context.timeoutMs));
}

/**
 * The no-answer behind a sanitized cause the client kept (its `code`, or the code its message starts
 * with); undefined when the cause names no code, i.e. nothing is known about it.
 */
export function transportFailureOfCause(cause: unknown): TransportFailure | undefined {
  const message = cause instanceof Error ? cause.message : '';
  const code = findErrorCode(cause) ?? CODE_PREFIX.exec(message)?.[1];
  if (code === undefined) return undefined;
  const kind = kindOfCode(code);
  return failureOf(kind, code, detailOf(kind, code, undefined));
}

function detailOf(kind: NoAnswerKind, code: string, timeoutMs: number | undefined): string {
  switch (kind) {
    case 'timeout':
      return timeoutMs === undefined
        ? 'timed out without an answer'
        : `timed out after ${timeoutMs} ms without an answer`;
    case 'reset':
      return 'the connection was reset before an answer arrived';
    case 'refused':
      return 'the connection was refused';
    case 'dns':
      return 'the portal host name does not resolve; check the portal in the app settings';
    case 'private_address':
      return 'the portal resolves to a private address (this host or a private network), which the app never connects to; enter your Bynder portal, such as acme.bynder.com';
    case 'tls':
      return `the TLS connection failed (${code}); check the portal address`;
    case 'too_large':
      return 'answered more than this request reads; reading stopped there';
    case 'other':
      return `the request failed (${code})`;
  }
}
