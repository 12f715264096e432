import type { Delays } from './delays';
import type { EmulatorSettings } from './runtime-settings';
import type { PortalState } from './state';
import type { TokenStore } from './token-store';
import type { UploadStore } from './uploads';
import type { WriteQueue } from './write-queue';

/** What route handlers may touch: the portal, the live settings, the write queue, the tokens and the uploads. */
export interface RouteDeps {
  state: PortalState;
  settings: EmulatorSettings;
  writes: WriteQueue;
  tokens: TokenStore;
  uploads: UploadStore;
  /** Timers the emulator cancels on stop (an emulator-only gap inside a route). */
  delays: Delays;
}
