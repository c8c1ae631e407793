import type { Clock } from '../src/domain/quota-store';

/** A clock tests move by hand. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

/** Start at a fixed, realistic epoch time so bucket arithmetic is exercised. */
export function createManualClock(start = 1_790_000_000_000): ManualClock {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
}
