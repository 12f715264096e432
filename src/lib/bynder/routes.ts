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

/** Adds options of one metaproperty to one asset, leaving its other options as they are. */
export const ADD_MEDIA_OPTIONS_ROUTE: BynderRoute = {
  method: 'POST',
  path: '/api/media/options',
  needs: 'the MEDIAEDIT role (and scope asset:write)',
};

/** Removes options of one metaproperty from one asset, leaving its other options as they are. */
export const REMOVE_MEDIA_OPTIONS_ROUTE: BynderRoute = {
  method: 'DELETE',
  path: '/api/media/options',
  needs: 'the MEDIAEDIT role (and scope asset:write)',
};

/** Creates an option of a metaproperty (https://api.bynder.com/reference/post_api-v4-metaproperties-id-options). */
export const CREATE_METAPROPERTY_OPTION_ROUTE: BynderRoute = {
  method: 'POST',
  path: '/api/v4/metaproperties/{id}/options/',
  needs:
    "the METAPROPERTYMANAGEMENT or METAMANAGEMENT role (and scope meta.assetbank:write); grant it to the token's user in Bynder's user settings (Settings → Users → Profiles)",
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

// The S3-chunk upload flow (https://api.bynder.com/reference, "Upload assets"; the same steps as
// every official SDK's uploadFile). Every step needs the upload right; a 403 names it.
const UPLOAD_NEEDS =
  'the MEDIAUPLOAD role (MEDIAUPLOADFORAPPROVAL only uploads into the waiting room) and scope asset:write';

export const UPLOAD_ENDPOINT_ROUTE: BynderRoute = {
  method: 'GET',
  path: '/api/upload/endpoint/',
  needs: UPLOAD_NEEDS,
};

export const UPLOAD_INIT_ROUTE: BynderRoute = {
  method: 'POST',
  path: '/api/upload/init/',
  needs: UPLOAD_NEEDS,
};

/** Chunk registration and the finalise share this path; the finalise's form carries `chunks`. */
export const REGISTER_CHUNK_ROUTE: BynderRoute = {
  method: 'POST',
  path: '/api/v4/upload/{id}/',
  needs: UPLOAD_NEEDS,
};

export const FINALISE_UPLOAD_ROUTE: BynderRoute = {
  method: 'POST',
  path: '/api/v4/upload/{id}/',
  needs: UPLOAD_NEEDS,
};

export const POLL_IMPORTS_ROUTE: BynderRoute = {
  method: 'GET',
  path: '/api/v4/upload/poll/',
  needs: UPLOAD_NEEDS,
};

export const SAVE_NEW_ASSET_ROUTE: BynderRoute = {
  method: 'POST',
  path: '/api/v4/media/save/{importId}/',
  needs: UPLOAD_NEEDS,
};

export const SAVE_NEW_VERSION_ROUTE: BynderRoute = {
  method: 'POST',
  path: '/api/v4/media/{id}/save/{importId}/',
  needs: 'the MEDIAUPLOAD role (and scope asset:write); upload for approval cannot add a version',
};

export const LIST_BRANDS_ROUTE: BynderRoute = {
  method: 'GET',
  path: '/api/v4/brands/',
  needs: 'read access to assets (scope asset:read)',
};

/** Every route of the upload flow: what a missing right on any of them means for the user. */
export const UPLOAD_ROUTES: readonly BynderRoute[] = [
  UPLOAD_ENDPOINT_ROUTE,
  UPLOAD_INIT_ROUTE,
  REGISTER_CHUNK_ROUTE,
  FINALISE_UPLOAD_ROUTE,
  POLL_IMPORTS_ROUTE,
  SAVE_NEW_ASSET_ROUTE,
  SAVE_NEW_VERSION_ROUTE,
];
