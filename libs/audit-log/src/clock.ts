/** Wall-clock time in milliseconds since the epoch; injected so tests control commit times. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
