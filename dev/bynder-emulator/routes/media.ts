import type { Request, Response } from 'express';

import { sendEnvelope } from '../envelope';
import { parseMediaForm } from '../media-form';
import { buildMediaFilter, buildMediaOrder } from '../media-query';
import { pageOf, queryFlag, queryPaging, queryValue } from '../query';
import { contextOf } from '../request-context';
import type { RouteDeps } from '../route-deps';
import type { RouteDef } from '../route-table';

const READ = { scope: 'asset:read' };
const MODIFY = { scope: 'asset:write', role: 'MEDIAEDIT' };
const REMOVE = { scope: 'asset:write', role: 'MEDIAREMOVE' };
/** Bynder's ids are 8-4-4-16 upper-case hex; any other form is simply not found. */
const MEDIA_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{16}$/;

/**
 * Asset reads and writes (https://api.bynder.com/reference/get_api-v4-media and the modify and delete references), including the SDK variants with the id in body or query.
 * Every error body here carries `statuscode` as a string ("404", "403"), as Bynder's asset OpenAPI
 * gives it (https://api.bynder.com/reference/get_api-v4-media-id); the 202 keeps a number.
 */
export function mediaRoutes(deps: RouteDeps): RouteDef[] {
  const { state, settings } = deps;

  /** The asset for an id in Bynder's form, or undefined (any other form is simply not found). */
  const liveMedia = (id: string | undefined) =>
    id !== undefined && MEDIA_ID.test(id) ? state.media(id) : undefined;

  const listMedia = (req: Request, res: Response): void => {
    // `?id=` asks for ONE asset, answered as an object (the Java SDK's getMediaInfo reads it so);
    // an unknown id is the list endpoint's documented 404, with a string statuscode.
    const single = queryValue(req, 'id');
    if (single !== undefined) {
      const asset = liveMedia(single);
      if (!asset) return sendEnvelope(res, 404, 'Media not found', true);
      return void res.json(state.renderMedia(asset, settings));
    }
    const unlisted = new Set(settings.unlistedIds);
    const matching = state
      .allMedia()
      .filter((asset) => !unlisted.has(asset.id))
      .filter(buildMediaFilter(req, state.taxonomy, settings.textFilter))
      .sort(buildMediaOrder(req));
    const media = pageOf(matching, queryPaging(req)).map((asset) => state.renderMedia(asset, settings));
    const total = queryFlag(req, 'total', false);
    const count = queryFlag(req, 'count', false);
    if (!total && !count) return void res.json(media);
    // Facet counts are reduced to the total here; Bynder adds per-facet counts (https://api.bynder.com/reference/get_api-v4-media).
    res.json({
      ...(total ? { total: { count: matching.length } } : {}),
      ...(count ? { count: { total: matching.length } } : {}),
      media,
    });
  };

  const modifyMedia = (id: string | undefined, req: Request, res: Response): void => {
    // Checked synchronously: an unknown or deleted asset answers 404 before anything is queued.
    const asset = liveMedia(id);
    if (!asset) return sendEnvelope(res, 404, 'Media not found', true);
    if (!req.is('application/x-www-form-urlencoded')) {
      // Bynder answers 202 to a JSON body and ignores it (https://api.bynder.com/reference/post_api-v4-media-id); strict mode (emulator-only) refuses.
      if (settings.strict) return sendEnvelope(res, 400, 'Request body must be form-encoded');
      return sendEnvelope(res, 202, 'Accepted');
    }
    const form = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseMediaForm(form, state.taxonomy, settings.strict);
    if (!parsed.ok) return sendEnvelope(res, 400, parsed.message);
    // Changing isPublic needs the MARKPUBLIC role on top of MEDIAEDIT. The check looks
    // at the form itself, so no spelling of the value (`True`, `yes`, empty) slips past it.
    if ('isPublic' in form && !contextOf(res).principal?.roles.has('MARKPUBLIC')) {
      return sendEnvelope(res, 403, 'Access denied', true);
    }
    deps.writes.accept(asset.id, parsed.patch, settings.applyDelayMs);
    sendEnvelope(res, 202, 'Accepted');
  };

  const deleteMedia = (id: string | undefined, res: Response): void => {
    const asset = liveMedia(id);
    if (!asset || !state.deleteMedia(asset.id)) return sendEnvelope(res, 404, 'Media not found', true);
    res.status(204).end();
  };

  const formId = (req: Request): string | undefined => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    return typeof body.id === 'string' ? body.id : undefined;
  };

  const routes: RouteDef[] = [
    // ## List: GET /api/v4/media/ (also the Java SDK's GET /api/v4/media/?id=, one object)
    { method: 'GET', template: '/api/v4/media/', access: READ, handle: listMedia },
    // ## One: GET /api/v4/media/{id}/
    {
      method: 'GET',
      template: '/api/v4/media/:id/',
      access: READ,
      handle: (req, res) => {
        const asset = liveMedia(String(req.params.id));
        if (!asset) return sendEnvelope(res, 404, 'Media not found', true);
        res.json(state.renderMedia(asset, settings));
      },
    },
    // ## Modify: POST /api/v4/media/{id}/, and the JS/Java SDK form with `id` in the body
    {
      method: 'POST',
      template: '/api/v4/media/:id/',
      access: MODIFY,
      handle: (req, res) => modifyMedia(String(req.params.id), req, res),
    },
    {
      method: 'POST',
      template: '/api/v4/media/',
      access: MODIFY,
      handle: (req, res) => modifyMedia(formId(req), req, res),
    },
    // ## Delete: DELETE /api/v4/media/{id}/, and the Java SDK's DELETE /api/v4/media/?id=
    {
      method: 'DELETE',
      template: '/api/v4/media/:id/',
      access: REMOVE,
      handle: (req, res) => deleteMedia(String(req.params.id), res),
    },
    {
      method: 'DELETE',
      template: '/api/v4/media/',
      access: REMOVE,
      handle: (req, res) => deleteMedia(queryValue(req, 'id'), res),
    },
  ];
  return routes.map((route) => ({ ...route, statusAsString: true }));
}
