// The SDK's app context: which app, account and install the current invocation serves. On OCP the
// runtime sets it per invocation; outside OCP it is whatever setContext() last set, else undefined
// (as in the real SDK, whose type does not say so).

export interface AppContext {
  /** The app's manifest (app.yml); typed in the real SDK, unread by this app. */
  manifest: unknown;
  trackerId: string;
  installId: number;
  account?: {
    organizationId: string;
    instanceId: string;
  };
}

let currentContext: AppContext | undefined;

export function setContext(context: AppContext): void {
  currentContext = context;
}

/** The app context of the current invocation. */
export function getAppContext(): AppContext {
  return currentContext as AppContext; // undefined outside OCP until set, as in the real SDK
}
