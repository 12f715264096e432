import { PRIVATE_ADDRESS_CODE } from '../net/address-guard';

// What a request that got no HTTP answer means for us: a pure reading of the Node/axios error codes.
// Only timeouts, resets and refused connections are retried (each heals within seconds on a healthy portal); anything else
// (unknown host, TLS failure) will not heal by asking again within seconds.

export interface TransportFailure {
  /** Shown to the user after the route template, e.g. "timed out after 30000 ms". */
  detail: string;
  retryable: boolean;
  /** The Node/axios code, kept for the sanitized cause (e.g. ECONNRESET). */
  code: string;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
/** The host name did not resolve: the portal setting is wrong (or DNS is down). */
export const DNS_FAILURE_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/** Our code for an answer larger than the request may read (axios reports it as ERR_BAD_RESPONSE). */
export const ANSWER_TOO_LARGE = 'ERR_ANSWER_TOO_LARGE';
const TOO_LARGE_MESSAGE = /^maxContentLength size of (\d+) exceeded$/;

/** The error's own code, or the first code found down its cause chain / inside an AggregateError. */
export function findErrorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === 'string' && record.code !== 'ERR_BAD_REQUEST') return record.code;
  const nested = Array.isArray(record.errors) ? record.errors[0] : record.cause;
  return findErrorCode(nested, depth + 1);
}

export function describeTransportFailure(
  error: unknown,
  context: { timedOut: boolean; timeoutMs: number },
): TransportFailure {
  const tooLarge = error instanceof Error ? TOO_LARGE_MESSAGE.exec(error.message) : null;
  if (tooLarge) {
    const limit = Number(tooLarge[1]).toLocaleString('en-US');
    // Not retried: the same request gets the same answer, and reading it again costs as much.
    return {
      code: ANSWER_TOO_LARGE,
      retryable: false,
      detail: `answered more than ${limit} bytes, the most this request reads; reading stopped there`,
    };
  }
  const code = findErrorCode(error) ?? 'UNKNOWN';
  if (context.timedOut || TIMEOUT_CODES.has(code)) {
    return { code, retryable: true, detail: `timed out after ${context.timeoutMs} ms without an answer` };
  }
  if (RESET_CODES.has(code)) {
    return { code, retryable: true, detail: 'the connection was reset before an answer arrived' };
  }
  if (code === 'ECONNREFUSED') return { code, retryable: true, detail: 'the connection was refused' };
  if (DNS_FAILURE_CODES.has(code)) {
    return {
      code,
      retryable: false,
      detail: 'the portal host name does not resolve; check the portal in the app settings',
    };
  }
  if (code === PRIVATE_ADDRESS_CODE) {
    return {
      code,
      retryable: false,
      detail:
        'the portal resolves to a private address (this host or a private network), which the app never connects to; enter your Bynder portal, such as acme.bynder.com',
    };
  }
  if (code.startsWith('ERR_TLS') || code.includes('CERT')) {
    return {
      code,
      retryable: false,
      detail: `the TLS connection failed (${code}); check the portal address`,
    };
  }
  return { code, retryable: false, detail: `the request failed (${code})` };
}
