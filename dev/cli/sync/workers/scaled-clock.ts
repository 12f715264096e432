import type { Clock } from '../../../../src/lib/runtime-ports';

/**
 * Time `speed` times faster than real time from `origin` (ms since the epoch), plus whatever was
 * jumped: the same function in every process given the same origin, speed and jump, so workers
 * agree on the time as OCP's NTP-synced hosts do. For runs that must pass the app's five-minute
 * rate-limit block or a batch lease's expiry in seconds.
 */
export interface ScaledClock extends Clock {
  /** Sets the total jumped so far (ms of app time), so every process can be told the same. */
  setJumped(ms: number): void;
  readonly jumped: number;
}

export interface ScaledClockSpec {
  origin: number;
  speed: number;
}

export function scaledClock({ origin, speed }: ScaledClockSpec): ScaledClock {
  let jumped = 0;
  return {
    now: () => origin + (Date.now() - origin) * speed + jumped,
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms) / speed)),
    setJumped: (ms) => {
      jumped = ms;
    },
    get jumped() {
      return jumped;
    },
  };
}
