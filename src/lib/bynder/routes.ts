// The Bynder endpoints this client calls, as route templates (the form used in every error and log
// line: never a filled-in URL, which could carry ids or query values). Reference:
// https://api.bynder.com/docs/getting-started. Paths keep the trailing slash Bynder's SDKs use.

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface BynderRoute {
  method: HttpMethod;
  /** Path template; `{name}` placeholders are filled by buildPath, one encoded segment each. */
  path: string;
  /** What the credentials' user needs for this call: completes the fix in a 403 message. */
  needs: string;
}

export const OAUTH_TOKEN_ROUTE: BynderRoute = {
  method: 'POST',
  path: '/v6/authentication/oauth2/token',
  needs: 'an OAuth app with the client credentials grant enabled',
};

export const LIST_METAPROPERTIES_ROUTE: BynderRoute = {
  method: 'GET',
  path: '/api/v4/metaproperties/',
  needs: 'read access to metaproperties (scope meta.assetbank:read)',
};

export const LIST_METAPROPERTY_OPTIONS_ROUTE: BynderRoute = {
  method: 'GET',
  path: '/api/v4/metaproperties/{id}/options/',
  needs: 'read access to metaproperties (scope meta.assetbank:read)',
};

export const LIST_MEDIA_ROUTE: BynderRoute = {
  method: 'GET',
  path: '/api/v4/media/',
  needs: 'read access to assets (scope asset:read)',
};

export const GET_MEDIA_ROUTE: BynderRoute = {
  method: 'GET',
  path: '/api/v4/media/{id}/',
  needs: 'read access to assets (scope asset:read)',
};

export const UPDATE_MEDIA_ROUTE: BynderRoute = {
  method: 'POST',
  path: '/api/v4/media/{id}/',
  needs: 'the MEDIAEDIT role (and scope asset:write)',
};

export const DELETE_MEDIA_ROUTE: BynderRoute = {
  method: 'DELETE',
  path: '/api/v4/media/{id}/',
  needs: 'the MEDIAREMOVE role (and scope asset:write)',
};

/** `POST /api/v4/media/{id}/`: what messages and logs show instead of the URL. */
export function describeRoute(route: BynderRoute): string {
  return `${route.method} ${route.path}`;
}

/**
 * Whether a value can travel as one path segment unchanged. Percent-encoding keeps `/`, `?` and `#`
 * inside the segment, but URL parsers resolve `.` and `..` (even encoded as %2E) as dot segments, and
 * an empty segment collapses the route, so those cannot be sent as ids at all.
 */
export function isRoutableSegment(value: string): boolean {
  return value !== '' && value !== '.' && value !== '..';
}

/**
 * Fills a path template; each value becomes exactly one percent-encoded segment. The one rule for
 * ids in paths: undefined when a value cannot be one segment (the caller says what that means).
 */
export function buildPath(template: string, values: Record<string, string>): string | undefined {
  let routable = true;
  const path = template.replace(/\{(\w+)\}/g, (_placeholder, key: string) => {
    const value = values[key];
    if (value === undefined) throw new RangeError(`buildPath: no value for {${key}} in ${template}`);
    routable &&= isRoutableSegment(value);
    return encodeURIComponent(value);
  });
  return routable ? path : undefined;
}
