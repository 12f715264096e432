import {
  BynderApiError,
  BynderAuthError,
  BynderInvalidResponseError,
  BynderNotFoundError,
  BynderPermissionError,
  BynderRateLimitBlockedError,
  BynderRateLimitError,
  BynderUnavailableError,
} from './errors';
import { PRIVATE_ADDRESS_CODE } from '../net/address-guard';
import { describeRoute, OAUTH_TOKEN_ROUTE, UPLOAD_ROUTES } from './routes';
import { DNS_FAILURE_CODES, findErrorCode } from './transport-failure';
import type { Credentials } from '../config';

// What a failed request to the portal means for the person who set the app up: which setting is
// wrong (the portal, the credentials or the user's rights) and what to do about it. The settings
// form's connection test, ready() and a delivery stopped by refused credentials all word it so.

/** Where in Bynder's admin a person creates the credentials this app asks for. */
export const PERMANENT_TOKENS_PAGE = 'Settings > Advanced Settings > Portal Settings > Permanent Tokens';
export const OAUTH_APPS_PAGE = 'Settings > Advanced Settings > Portal Settings > OAuth Apps';

export type ConnectionProblem =
  'portal' | 'credentials' | 'permissions' | 'rate_limited' | 'bynder_trouble' | 'unexpected';

export interface ConnectionFailure {
  problem: ConnectionProblem;
  /** The form field to mark, when one setting is clearly at fault. */
  field: string | undefined;
  /** The toast text: what is wrong and what to do. */
  message: string;
}

const RIGHTS =
  'read metaproperties and assets and edit assets (scopes meta.assetbank:read, asset:read, asset:write; role MEDIAEDIT, plus MEDIAREMOVE for the delete policy "delete")';

/** What uploading needs: the right a 403 on any step of the upload flow is missing. */
const UPLOAD_RIGHTS =
  'upload assets (role MEDIAUPLOAD; with only MEDIAUPLOADFORAPPROVAL, uploads wait in the waiting room and cannot add versions; scope asset:write)';
const UPLOAD_ROUTE_NAMES: ReadonlySet<string> = new Set(UPLOAD_ROUTES.map(describeRoute));

export function describeConnectionFailure(
  error: unknown,
  target: { portalUrl: string; credentials: Credentials },
): ConnectionFailure {
  const portal = target.portalUrl;
  const byToken = target.credentials.kind === 'permanent_token';

  if (error instanceof BynderAuthError) {
    return byToken
      ? {
          problem: 'credentials',
          field: 'token',
          message: `${portal} refused the permanent token (${error.status}): it is wrong, revoked, or made for another portal. Create a new token in Bynder under ${PERMANENT_TOKENS_PAGE}, paste it into "Permanent token" and test again.`,
        }
      : {
          problem: 'credentials',
          field: 'client_secret',
          message: `${portal} refused the OAuth client credentials (${error.status}): the client id or client secret is wrong, or the OAuth app does not allow the Client Credentials grant. Check the OAuth app in Bynder under ${OAUTH_APPS_PAGE}, enter its client id and secret and test again.`,
        };
  }
  if (error instanceof BynderPermissionError) {
    const who = byToken ? "the permanent token's user" : "the OAuth app's assigned user";
    return {
      problem: 'permissions',
      field: undefined,
      message: `${portal} accepted the ${byToken ? 'token' : 'client credentials'} but denied access (403) to ${error.route}. In Bynder, let ${who} ${UPLOAD_ROUTE_NAMES.has(error.route) ? UPLOAD_RIGHTS : RIGHTS}, then test again.`,
    };
  }
  if (error instanceof BynderRateLimitBlockedError) {
    return {
      problem: 'rate_limited',
      field: undefined,
      message: `${portal} was not asked: Bynder's rate limit was exceeded (429) and its block lasts until ${new Date(error.blockedUntil).toISOString()}; every request before then would restart Bynder's five quiet minutes. Nothing says your settings are wrong: test again after that time.`,
    };
  }
  if (error instanceof BynderRateLimitError) {
    return {
      problem: 'rate_limited',
      field: undefined,
      message: `${portal} is blocking requests from this IP address because Bynder's rate limit was exceeded (429). Nothing says your settings are wrong: wait about 5 minutes and test again.`,
    };
  }
  if (error instanceof BynderUnavailableError) {
    if (error.status !== undefined) {
      return {
        problem: 'bynder_trouble',
        field: undefined,
        message: `${portal} answered ${error.status}: Bynder is having trouble, so the settings could not be checked. Try again in a few minutes.`,
      };
    }
    const code = transportCode(error);
    if (code !== undefined && DNS_FAILURE_CODES.has(code)) {
      return {
        problem: 'portal',
        field: 'portal',
        message: `The portal's host name ${new URL(portal).hostname} was not found (DNS). Check the spelling of "Portal", for example acme.bynder.com.`,
      };
    }
    if (code === PRIVATE_ADDRESS_CODE) {
      return {
        problem: 'portal',
        field: 'portal',
        message: `${portal} resolves to a private address (this host or a private network), which the app never connects to. Enter your Bynder portal, for example acme.bynder.com.`,
      };
    }
    // One message for refused, reset and timed out alike: telling them apart would let the form probe
    // which ports are open on a host. The log line of the request keeps the code.
    return {
      problem: 'portal',
      field: 'portal',
      message: `${portal} could not be reached (no answer). Check "Portal" and that the portal is online, then test again.`,
    };
  }
  if (
    error instanceof BynderNotFoundError ||
    error instanceof BynderInvalidResponseError ||
    (error instanceof BynderApiError && error.status >= 300 && error.status < 400)
  ) {
    const why =
      error instanceof BynderApiError && error.status < 400
        ? `it redirects (${error.status})`
        : error instanceof BynderNotFoundError
          ? `it has no ${error.route === describeRoute(OAUTH_TOKEN_ROUTE) ? 'OAuth token endpoint' : 'Bynder API'} (404)`
          : 'its answer is not Bynder API data';
    return {
      problem: 'portal',
      field: 'portal',
      message: `${portal} is not a Bynder portal: ${why}. Enter the address of your Bynder portal, for example acme.bynder.com or your portal's custom domain.`,
    };
  }
  const what = error instanceof BynderApiError ? `${error.route} answered ${error.status}` : errorName(error);
  return {
    problem: 'unexpected',
    field: undefined,
    message: `The connection test failed unexpectedly (${what}). Check the settings and test again; if it keeps failing, the app's logs have details.`,
  };
}

/** The Node error code behind a request that got no answer (the client keeps it as "CODE: ..." in the cause). */
function transportCode(error: Error): string | undefined {
  const found = findErrorCode(error);
  if (found !== undefined) return found;
  const cause: unknown = error.cause;
  return cause instanceof Error ? /^([A-Z][A-Z_]+):/.exec(cause.message)?.[1] : undefined;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
