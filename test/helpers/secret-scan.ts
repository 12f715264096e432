// What a secret looks like once it has left the secrets store, written out here independently of
// src/lib/redact.ts so that a spelling the app forgets is still found: as is, percent-encoded in
// either letter case, form-encoded, base64 (alone, as `Bearer <token>`, as the HTTP Basic
// `client_id:client_secret`) and base64url, plus every 12-character piece of each of these, which is
// what is left when a message is cut inside a secret.

/** Shorter pieces than this are not counted as a leak: they occur by chance in other text. */
const FRAGMENT_LENGTH = 12;

const lowerEscapes = (text: string) => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
const base64 = (text: string) => Buffer.from(text).toString('base64');

interface Form {
  text: string;
  /** Leading characters that depend on more than the secret (base64 of `Bearer ` or of `client_id:`). */
  before: number;
}

/** base64 of `prefix` + `secret`, and how many of its leading characters carry bits of the prefix. */
function base64After(prefix: string, secret: string): Form {
  return { text: base64(`${prefix}${secret}`), before: Math.ceil((Buffer.byteLength(prefix) * 4) / 3) };
}

function forms(secret: string, clientId?: string): Form[] {
  const inUrl = encodeURIComponent(secret);
  const inForm = new URLSearchParams({ s: secret }).toString().slice(2);
  const plain = [secret, inUrl, lowerEscapes(inUrl), inForm, lowerEscapes(inForm)];
  const all: Form[] = [
    ...plain.map((text) => ({ text, before: 0 })),
    base64After('', secret),
    { text: Buffer.from(secret).toString('base64url'), before: 0 },
    base64After('Bearer ', secret),
  ];
  if (clientId !== undefined) {
    all.push(base64After(`${clientId}:`, secret), base64After(`${encodeURIComponent(clientId)}:`, inUrl));
  }
  return all;
}

/** Whole encoded forms of `secret`; `clientId` adds the HTTP Basic forms. */
export function encodedForms(secret: string, clientId?: string): string[] {
  return [...new Set(forms(secret, clientId).map((form) => form.text))];
}

/** Every form of `secret` and every 12-character piece of one that encodes the secret alone. */
export function leakPatterns(secret: string, clientId?: string): string[] {
  const patterns = new Set<string>();
  for (const { text, before } of forms(secret, clientId)) {
    patterns.add(text);
    for (let at = before; at + FRAGMENT_LENGTH <= text.length; at += 1) {
      patterns.add(text.slice(at, at + FRAGMENT_LENGTH));
    }
  }
  return [...patterns];
}

/** The labels of the texts that hold any leak pattern of `secret`, each with the piece found. */
export function findLeaks(
  places: ReadonlyArray<{ where: string; text: string }>,
  secret: string,
  clientId?: string,
): string[] {
  const patterns = leakPatterns(secret, clientId);
  return places.flatMap((place) => {
    const found = patterns.find((pattern) => place.text.includes(pattern));
    return found === undefined ? [] : [`${place.where}: holds "${found}"`];
  });
}

/**
 * Messages a hostile server answers with: each encoded form alone, and each placed so that it
 * straddles a cut at `cutAt` characters (its first characters before the cut, the rest after).
 */
export function echoingMessages(secret: string, clientId: string | undefined, cutAt: number): string[] {
  return encodedForms(secret, clientId).flatMap((form) => [
    `echo ${form} echo`,
    `${'x'.repeat(cutAt - Math.ceil(form.length / 2))}${form} and the rest of the message`,
  ]);
}
