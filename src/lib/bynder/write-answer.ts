import { classifyResponse, readBynderMessage } from './classify-response';
import { BynderUnconfirmedWriteError } from './errors';
import { type BynderRoute, describeRoute } from './routes';

// A write counts as applied only on the answer Bynder gives on success
// (https://api.bynder.com/reference/post_api-v4-media-id, .../delete_api-v4-media-id):
// - modify: 202 with Bynder's envelope {"message":"Accepted","statuscode":202} (statuscode may come
//   as a string);
// - delete: 204 with no body (a 404 is "already gone", judged by the caller);
// - an asset's options added: 201 with {"message":"Created","statuscode":201}; removed: 204
//   (https://api.bynder.com/reference/post_api-media-options).
// A 2xx carrying an error envelope ({"statuscode":400,"message":…}) is that error; any other 2xx
// (a login page, a proxy's page, an empty 200) is BynderUnconfirmedWriteError: pending, not applied.

/** Every 2xx: the client hands them all to confirmWrite instead of trusting the status. */
export const ANY_SUCCESS_STATUS: readonly number[] = [200, 201, 202, 203, 204, 205, 206];

export type WriteKind = 'modify' | 'delete' | 'add_options' | 'remove_options';

const EXPECTED: Record<WriteKind, string> = {
  modify: '202 with {"message":"Accepted","statuscode":202}',
  delete: '204 with no body',
  add_options: '201 with {"message":"Created","statuscode":201}',
  remove_options: '204',
};

/** The envelope's statuscode as a number, or undefined when the body is not Bynder's envelope. */
function envelopeStatus(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const code = (body as Record<string, unknown>).statuscode;
  const n = typeof code === 'string' && /^\d{3}$/.test(code.trim()) ? Number(code) : code;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

function describeBody(body: unknown): string {
  if (body === undefined || body === null || body === '') return 'an empty body';
  if (typeof body === 'string') return body.trimStart().startsWith('<') ? 'an HTML page' : 'a text body';
  return envelopeStatus(body) === undefined
    ? "a JSON body that is not Bynder's envelope"
    : `Bynder's envelope with statuscode ${String(envelopeStatus(body))}`;
}

/** Returns when the answer is Bynder's success for `kind`; throws what it means otherwise. */
export function confirmWrite(
  kind: WriteKind,
  route: BynderRoute,
  answer: { status: number; body: unknown },
  redact: (text: string) => string,
): void {
  const code = envelopeStatus(answer.body);
  if (kind === 'modify' && answer.status === 202 && code === 202) return;
  if (kind === 'delete' && answer.status === 204 && describeBody(answer.body) === 'an empty body') return;
  if (kind === 'add_options' && answer.status === 201 && code === 201) return;
  // A 204 carries no body (RFC 9110), though the published description shows an envelope for it.
  if (kind === 'remove_options' && answer.status === 204) return;
  if (code !== undefined && code >= 400) {
    // An error said in the body: the same meaning as that status (400 rejects the record, 401 halts).
    throw classifyResponse({ status: code, route, message: readBynderMessage(answer.body, code, redact) });
  }
  throw new BynderUnconfirmedWriteError(
    describeRoute(route),
    answer.status,
    describeBody(answer.body),
    EXPECTED[kind],
  );
}
