// Where in Bynder's admin a person creates the credentials this app asks for, so form errors and
// failed connection tests send them to the same place.

export const PERMANENT_TOKENS_PAGE = 'Settings > Advanced Settings > Portal Settings > Permanent Tokens';
export const OAUTH_APPS_PAGE = 'Settings > Advanced Settings > Portal Settings > OAuth Apps';
