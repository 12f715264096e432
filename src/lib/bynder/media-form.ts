import type { MediaForm } from './bynder-api';

/**
 * The body of `POST /api/v4/media/{id}/`: application/x-www-form-urlencoded, because Bynder accepts
 * JSON bodies with 202 and silently ignores them (https://api.bynder.com/reference/post_api-v4-media-id). Keys such as `metaproperty.<id>` and
 * comma-separated option ids travel as they are, percent-encoded.
 */
export function encodeMediaForm(form: MediaForm): string {
  return new URLSearchParams(Object.entries(form)).toString();
}
