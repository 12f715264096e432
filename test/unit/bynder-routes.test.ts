import { describe, expect, it } from 'vitest';

import { buildPath, describeRoute, isRoutableSegment, UPDATE_MEDIA_ROUTE } from '../../src/lib/bynder/routes';

const MEDIA = '/api/v4/media/{id}/';

/** Where a URL parser (as axios uses) sends the filled-in path. */
function resolvedPath(path: string): string {
  return new URL(path, 'https://acme.bynder.com').pathname;
}

describe('buildPath: every value is exactly one path segment', () => {
  it('leaves a Bynder id as it is', () => {
    expect(buildPath(MEDIA, { id: '4D5B1C2A-0E3F-4A11-9C0D3E2F1A2B3C4D' })).toBe(
      '/api/v4/media/4D5B1C2A-0E3F-4A11-9C0D3E2F1A2B3C4D/',
    );
  });

  it.each([
    ['../x', '/api/v4/media/..%2Fx/'],
    ['../../v6/authentication/oauth2/token', '/api/v4/media/..%2F..%2Fv6%2Fauthentication%2Foauth2%2Ftoken/'],
    ['a?b', '/api/v4/media/a%3Fb/'],
    ['a#b', '/api/v4/media/a%23b/'],
    ['a/b', '/api/v4/media/a%2Fb/'],
    ['%2e%2e', '/api/v4/media/%252e%252e/'],
    ['a b&c=d', '/api/v4/media/a%20b%26c%3Dd/'],
  ])('%s cannot change the route', (id, expected) => {
    const path = buildPath(MEDIA, { id });
    expect(path).toBe(expected);
    // After URL normalisation the path still has the media route's shape, one segment for the id.
    const segments = resolvedPath(path ?? '').split('/');
    expect(segments.slice(0, 4)).toEqual(['', 'api', 'v4', 'media']);
    expect(segments).toHaveLength(6);
    expect(decodeURIComponent(segments[4] ?? '')).toBe(id);
  });

  it.each(['', '.', '..'])('refuses %j, which a URL parser would resolve away', (id) => {
    expect(isRoutableSegment(id)).toBe(false);
    expect(buildPath(MEDIA, { id })).toBeUndefined();
  });

  it('refuses a template whose placeholder has no value', () => {
    expect(() => buildPath(MEDIA, {})).toThrow('no value for {id}');
  });

  it('describes a route by its template', () => {
    expect(describeRoute(UPDATE_MEDIA_ROUTE)).toBe('POST /api/v4/media/{id}/');
  });
});
