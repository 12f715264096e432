import { isIP } from 'node:net';

import { mayConnect } from '../net/address-guard';
import { isLoopbackPortalAllowed, LOOPBACK_PORTAL_SWITCH } from '../portal-url';
import { deniedByName } from './deny-list';
import type { FileProblem } from './errors';

// The checks a file URL passes before the app connects to it: the one a record names, and each
// redirect's target. What a host name resolves to is checked later, when the socket connects
// (src/lib/net/address-guard.ts); an IP literal is never looked up, so it is checked here.

export type FileUrlCheck =
  { ok: true; url: URL } | { ok: false; problem: FileProblem; detail: string; fix: string };

const PUBLIC_LINK =
  'Make the file readable without signing in (a public or pre-signed link: a signature in the query is kept) and put that https:// address in the field';

/** `input` (resolved against `base` for a redirect's Location) if the app may fetch it. */
export function checkFileUrl(input: string, base?: URL): FileUrlCheck {
  let url: URL;
  try {
    url = new URL(input.trim(), base);
  } catch {
    return {
      ok: false,
      problem: 'invalid_url',
      detail: 'is not a web address',
      fix: "Put the file's full https:// address in the field",
    };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      problem: 'credentials_in_url',
      detail:
        'carries a user name or password (user:password@), which the app never sends to a file host: credentials in a URL end up in logs and in every redirect',
      fix: PUBLIC_LINK,
    };
  }
  const http = url.protocol === 'http:';
  if (url.protocol !== 'https:' && !(http && isLoopbackPortalAllowed())) {
    return {
      ok: false,
      problem: 'scheme',
      detail: `uses ${url.protocol.replace(/:$/, '')}; files are fetched over https only (plain http only for local runs, with ${LOOPBACK_PORTAL_SWITCH}=1, and only from this machine)`,
      fix: 'Serve the file over https and put its https:// address in the field',
    };
  }
  if (url.hostname === '' || url.port === '0') {
    return {
      ok: false,
      problem: 'invalid_url',
      detail: url.hostname === '' ? 'has no host' : 'uses port 0, which no server listens on',
      fix: "Put the file's full https:// address in the field",
    };
  }
  const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(literal) !== 0 && !mayConnect(literal, { loopbackOnly: http })) {
    return {
      ok: false,
      problem: 'private_address',
      detail: `points at ${literal}, on this machine or a private network, which the app never connects to`,
      fix: 'Use the address of a file on a public web server or CDN',
    };
  }
  const denied = deniedByName(safeDecode(url.pathname));
  if (denied !== undefined) {
    return { ok: false, problem: 'denied_type', detail: denied, fix: DENIED_TYPE_FIX };
  }
  return { ok: true, url };
}

export const DENIED_TYPE_FIX =
  'Point the field at an image, video or document instead; the app refuses programs and scripts before anything is uploaded';

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
