import express, { type Request, type Response } from 'express';

import { sendEnvelope } from '../envelope';
import type { RouteDeps } from '../route-deps';
import type { RouteDef } from '../route-table';

const MODIFY = { scope: 'asset:write', role: 'MEDIAEDIT' };

/** Bodies of `POST/DELETE /api/media/options` are JSON; the rest of the API is form-encoded. */
const parseJson = express.json({ limit: '1mb', type: 'application/json' });

function readJsonBody(req: Request, res: Response): Promise<unknown> {
  return new Promise((resolve) => {
    parseJson(req, res, (error?: unknown) => resolve(error ? undefined : (req.body as unknown)));
  });
}

interface OptionChange {
  assetId: string;
  metapropertyId: string;
  optionIds: string[];
}

function readChange(body: unknown): OptionChange | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { asset_id, metaproperty_id, metaproperty_option_ids } = body as Record<string, unknown>;
  if (typeof asset_id !== 'string' || typeof metaproperty_id !== 'string') return undefined;
  if (!Array.isArray(metaproperty_option_ids)) return undefined;
  const ids = metaproperty_option_ids.filter((id): id is string => typeof id === 'string');
  if (ids.length === 0 || ids.length !== metaproperty_option_ids.length) return undefined;
  return { assetId: asset_id, metapropertyId: metaproperty_id, optionIds: ids };
}

/**
 * One asset's options of one metaproperty, added or removed without touching the others
 * (https://api.bynder.com/reference/post_api-media-options). ASSUMPTION: Bynder publishes only
 * 201/204, 403 and 404, so a body that names no asset, metaproperty or options of it answers 404
 * too. The change applies at once (the answer is 201/204, not 202); a modify of the same asset still
 * queued applies after it, as Bynder does not say how the two order.
 */
export function mediaOptionRoutes({ state }: RouteDeps): RouteDef[] {
  const change = async (req: Request, res: Response, kind: 'add' | 'remove'): Promise<void> => {
    const parsed = readChange(await readJsonBody(req, res));
    const asset = parsed ? state.media(parsed.assetId) : undefined;
    const mp = parsed ? state.taxonomy.get(parsed.metapropertyId) : undefined;
    if (!parsed || !asset || !mp || !state.taxonomy.isOptionType(mp)) {
      return sendEnvelope(res, 404, 'Not Found');
    }
    const options = parsed.optionIds.map((id) => state.taxonomy.option(id));
    if (options.some((entry) => entry?.metapropertyId !== mp.id)) return sendEnvelope(res, 404, 'Not Found');
    state.changeAssetOptions(asset.id, mp.id, parsed.optionIds, kind);
    if (kind === 'add') return sendEnvelope(res, 201, 'Created');
    res.status(204).end();
  };
  return [
    // ## Add options to one asset: POST /api/media/options
    {
      method: 'POST',
      template: '/api/media/options',
      access: MODIFY,
      handle: (req, res) => change(req, res, 'add'),
    },
    // ## Remove options from one asset: DELETE /api/media/options
    {
      method: 'DELETE',
      template: '/api/media/options',
      access: MODIFY,
      handle: (req, res) => change(req, res, 'remove'),
    },
  ];
}
