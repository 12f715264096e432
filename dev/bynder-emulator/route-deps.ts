import type { EmulatorSettings } from './runtime-settings';
import type { PortalState } from './state';
import type { TokenStore } from './token-store';
import type { WriteQueue } from './write-queue';

/** What route handlers may touch: the portal, the live settings, the write queue and the tokens. */
export interface RouteDeps {
  state: PortalState;
  settings: EmulatorSettings;
  writes: WriteQueue;
  tokens: TokenStore;
}
