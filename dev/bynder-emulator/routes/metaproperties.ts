import { sendEnvelope } from '../envelope';
import { pageOf, queryFlag, queryList, queryPaging, queryValue } from '../query';
import type { RouteDeps } from '../route-deps';
import type { RouteDef } from '../route-table';
import type { SeedOption } from '../seed';
import { flattenOptions, renderMetaproperty, renderOptionPage, renderOptions } from '../taxonomy';

const READ = { scope: 'meta.assetbank:read' };

/** Metaproperty reads (https://api.bynder.com/reference/get_api-v4-metaproperties). Order matters: '/options/' must come before '/:id/'. */
export function metapropertyRoutes({ state, settings }: RouteDeps): RouteDef[] {
  const countsView = (): { mediaCount: (optionId: string) => number } => {
    const counts = state.optionCounts();
    return { mediaCount: (optionId) => counts.get(optionId) ?? 0 };
  };

  return [
    // ## Options by id: GET /api/v4/metaproperties/options/?ids=a,b
    {
      method: 'GET',
      template: '/api/v4/metaproperties/options/',
      access: READ,
      handle: (req, res) => {
        const ids = queryList(req, 'ids') ?? [];
        if (ids.length === 0) return sendEnvelope(res, 400, 'No data sent', true);
        const found = ids.flatMap((id) => state.taxonomy.option(id)?.option ?? []);
        // Any unknown id fails the whole call (Bynder documents the 400; all-or-nothing is assumed).
        if (found.length < ids.length) {
          return sendEnvelope(res, 400, 'Invalid metaproperty option id sent', true);
        }
        res.json(renderOptions(found, settings));
      },
    },
    // ## List: GET /api/v4/metaproperties/ — an object keyed by name, not an array
    {
      method: 'GET',
      template: '/api/v4/metaproperties/',
      access: READ,
      handle: (req, res) => {
        const options = queryFlag(req, 'options', true);
        const count = queryFlag(req, 'count', false);
        const ids = queryList(req, 'ids');
        const view = {
          options,
          booleansAsNumbers: settings.booleansAsNumbers,
          ...(count ? countsView() : {}),
        };
        const body = Object.fromEntries(
          state.taxonomy
            .entries()
            .filter(([, mp]) => ids === undefined || ids.includes(mp.id))
            .map(([key, mp]) => [key, renderMetaproperty(mp, view)]),
        );
        res.json(body);
      },
    },
    // ## One: GET /api/v4/metaproperties/{id}/
    {
      method: 'GET',
      template: '/api/v4/metaproperties/:id/',
      access: READ,
      handle: (req, res) => {
        const mp = state.taxonomy.get(String(req.params.id));
        if (!mp) return sendEnvelope(res, 404, 'Metaproperty not found');
        const options = queryFlag(req, 'options', true);
        const count = queryFlag(req, 'count', false);
        res.json(
          renderMetaproperty(mp, {
            options,
            booleansAsNumbers: settings.booleansAsNumbers,
            ...(count ? countsView() : {}),
          }),
        );
      },
    },
    // ## Options of one: GET /api/v4/metaproperties/{id}/options/?limit&page&name&externalReference
    {
      method: 'GET',
      template: '/api/v4/metaproperties/:id/options/',
      access: READ,
      handle: (req, res) => {
        const mp = state.taxonomy.get(String(req.params.id));
        // Bynder answers an unknown id here with 400 and a string statuscode, unlike /{id}/.
        if (!mp) return sendEnvelope(res, 400, 'Invalid metaproperty ID', true);
        const name = queryValue(req, 'name')?.toLowerCase();
        const externalReference = queryValue(req, 'externalReference');
        // A flat list, as the endpoint documents it: nested options follow their parent and are paged
        // with it. `name` matches an option whose name contains the text (Bynder does not document
        // exact vs contains; an assumption).
        const matches = (option: SeedOption): boolean =>
          (name === undefined || String(option.name).toLowerCase().includes(name)) &&
          (externalReference === undefined || option.externalReference === externalReference);
        const options = flattenOptions(mp.options ?? []).filter(matches);
        const page = pageOf(options, queryPaging(req));
        const count = queryFlag(req, 'count', false);
        res.json(
          renderOptionPage(page, {
            booleansAsNumbers: settings.booleansAsNumbers,
            ...(count ? countsView() : {}),
          }),
        );
      },
    },
  ];
}
