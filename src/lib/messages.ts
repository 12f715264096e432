// The texts a person reads: the settings form's connection verdicts, the Activity Log notices and
// OCP's failure reasons. Kept in one module so their wording is seen, and changed, in one place;
// the modules that decide what happened pick the text here and fill in the facts.

/** Where in Bynder's admin a person creates the credentials this app asks for. */
export const PERMANENT_TOKENS_PAGE = 'Settings > Advanced Settings > Portal Settings > Permanent Tokens';
export const OAUTH_APPS_PAGE = 'Settings > Advanced Settings > Portal Settings > OAuth Apps';

/** The rights the app needs in Bynder, as scopes (OAuth) and roles (the token's user). */
const RIGHTS =
  'read metaproperties and assets and edit assets (scopes meta.assetbank:read, asset:read, asset:write; role MEDIAEDIT, plus MEDIAREMOVE for the delete policy "delete")';

/** What a failed request to the portal tells the person who set the app up (settings form, ready()). */
export const connectionMessages = {
  tokenRefused: (portal: string, status: number) =>
    `${portal} refused the permanent token (${status}): it is wrong, revoked, or made for another portal. Create a new token in Bynder under ${PERMANENT_TOKENS_PAGE}, paste it into "Permanent token" and test again.`,
  clientRefused: (portal: string, status: number) =>
    `${portal} refused the OAuth client credentials (${status}): the client id or client secret is wrong, or the OAuth app does not allow the Client Credentials grant. Check the OAuth app in Bynder under ${OAUTH_APPS_PAGE}, enter its client id and secret and test again.`,
  permissionDenied: (portal: string, byToken: boolean, route: string) => {
    const who = byToken ? "the permanent token's user" : "the OAuth app's assigned user";
    return `${portal} accepted the ${byToken ? 'token' : 'client credentials'} but denied access (403) to ${route}. In Bynder, let ${who} ${RIGHTS}, then test again.`;
  },
  rateLimitBlocked: (portal: string, blockedUntil: number) =>
    `${portal} was not asked: Bynder's rate limit was exceeded (429) and its block lasts until ${new Date(blockedUntil).toISOString()}; every request before then would restart Bynder's five quiet minutes. Nothing says your settings are wrong: test again after that time.`,
  rateLimited: (portal: string) =>
    `${portal} is blocking requests from this IP address because Bynder's rate limit was exceeded (429). Nothing says your settings are wrong: wait about 5 minutes and test again.`,
  bynderTrouble: (portal: string, status: number) =>
    `${portal} answered ${status}: Bynder is having trouble, so the settings could not be checked. Try again in a few minutes.`,
  hostNotFound: (portal: string) =>
    `The portal's host name ${new URL(portal).hostname} was not found (DNS). Check the spelling of "Portal", for example acme.bynder.com.`,
  privateAddress: (portal: string) =>
    `${portal} resolves to a private address (this host or a private network), which the app never connects to. Enter your Bynder portal, for example acme.bynder.com.`,
  // One message for refused, reset and timed out alike: telling them apart would let the form probe
  // which ports are open on a host. The log line of the request keeps the code.
  unreachable: (portal: string) =>
    `${portal} could not be reached (no answer). Check "Portal" and that the portal is online, then test again.`,
  /** `why`: one of the notAPortalBecause texts. */
  notAPortal: (portal: string, why: string) =>
    `${portal} is not a Bynder portal: ${why}. Enter the address of your Bynder portal, for example acme.bynder.com or your portal's custom domain.`,
  unexpected: (what: string) =>
    `The connection test failed unexpectedly (${what}). Check the settings and test again; if it keeps failing, the app's logs have details.`,
} as const;

/** Why a host is not a Bynder portal, as connectionMessages.notAPortal words it. */
export const notAPortalBecause = {
  redirects: (status: number) => `it redirects (${status})`,
  noTokenEndpoint: 'it has no OAuth token endpoint (404)',
  noApi: 'it has no Bynder API (404)',
  notApiData: 'its answer is not Bynder API data',
} as const;
