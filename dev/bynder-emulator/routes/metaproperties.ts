import { sendEnvelope } from '../envelope';
import { pageOf, queryFlag, queryList, queryPaging, queryValue } from '../query';
import type { RouteDeps } from '../route-deps';
import type { RouteDef } from '../route-table';
import type { SeedOption } from '../seed';
import { flattenOptions, renderMetaproperty, renderOptionPage, renderOptions } from '../taxonomy';
import { bynderId } from '../uploads';

const READ = { scope: 'meta.assetbank:read' };
/** Option writes: https://api.bynder.com/reference/post_api-v4-metaproperties-id-options */
const MANAGE = { scope: 'meta.assetbank:write', anyRole: ['METAPROPERTYMANAGEMENT', 'METAMANAGEMENT'] };

/** The `data` form field of an option create: a JSON object, or the error Bynder documents. */
function readOptionData(form: Record<string, unknown>): Record<string, unknown> | string {
  const data = form.data;
  if (typeof data !== 'string' || data.trim() === '') return 'No data sent';
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'Invalid JSON';
    return parsed as Record<string, unknown>;
  } catch {
    return 'Invalid JSON';
  }
}

/** Metaproperty reads (https://api.bynder.com/reference/get_api-v4-metaproperties). Order matters: '/options/' must come before '/:id/'. */
export function metapropertyRoutes({ state, settings, delays }: RouteDeps): RouteDef[] {
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
    // ## Create an option: POST /api/v4/metaproperties/{id}/options/ (form field `data`, a JSON string)
    {
      method: 'POST',
      template: '/api/v4/metaproperties/:id/options/',
      access: MANAGE,
      statusAsString: true,
      handle: async (req, res) => {
        const mp = state.taxonomy.get(String(req.params.id));
        if (!mp) return sendEnvelope(res, 404, 'Metaproperty not found', true);
        const data = readOptionData((req.body ?? {}) as Record<string, unknown>);
        if (typeof data === 'string') return sendEnvelope(res, 400, data, true);
        const name = typeof data.name === 'string' ? data.name.trim() : '';
        if (name === '') return sendEnvelope(res, 400, 'Meta property option name is required', true);
        // ASSUMPTION: the duplicate check ignores letter case, as option names resolve on modify.
        const existing = state.taxonomy.optionByName(mp, name);
        if (existing) {
          return void res.status(400).json({
            message: 'Meta property option with this name already exists',
            existingUUID: existing.id,
            statuscode: '400',
          });
        }
        if (settings.optionCreateGapMs > 0) await delays.wait(settings.optionCreateGapMs);
        const option: SeedOption = {
          id: bynderId(),
          name,
          label: typeof data.label === 'string' && data.label !== '' ? data.label : name,
          isSelectable: data.isSelectable !== false,
          active: true,
          zindex: typeof data.zindex === 'number' ? data.zindex : (mp.options?.length ?? 0) + 1,
          ...(typeof data.externalReference === 'string'
            ? { externalReference: data.externalReference }
            : {}),
        };
        state.taxonomy.addOption(mp, option);
        res.status(201).json({ message: 'Created', statuscode: 201, id: option.id });
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
