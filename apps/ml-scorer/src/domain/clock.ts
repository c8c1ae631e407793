/** Injected time source (milliseconds since the epoch), so tests control time. */
export interface Clock {
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };
