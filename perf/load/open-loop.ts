/**
 * The open-loop arrival schedule. Request `i` is due at `start + i / rate`, whatever the server
 * is doing: the loop fires every due request (catching up in a burst when the timer was late)
 * and never waits for a response. Latency is then measured from the scheduled time, so queueing
 * delay — at the server or in a late timer — is counted, not hidden (no coordinated omission).
 */

/** Monotonic milliseconds (performance.now in production; a fake in tests). */
export interface MonotonicClock {
  now(): number;
}

export interface OpenLoopOptions {
  /** Arrivals per second, > 0. */
  rate: number;
  durationMs: number;
  /** Start one request; must return without waiting for the response. */
  fire(index: number, scheduledAt: number): void;
  clock?: MonotonicClock;
  /** Wait helper; tests pass one that advances a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  /** When aborted, the loop stops scheduling and resolves. */
  signal?: AbortSignal;
}

export interface OpenLoopResult {
  /** Requests fired (equals `plannedCount` unless aborted). */
  fired: number;
  plannedCount: number;
  startedAt: number;
  /** When the last request was fired. */
  endedAt: number;
  /** Largest number of requests fired in one catch-up burst (a late timer shows up here). */
  maxBurst: number;
}

/** Number of arrivals in a run of `durationMs` at `rate` per second. */
export function plannedArrivals(rate: number, durationMs: number): number {
  return Math.max(0, Math.floor((durationMs * rate) / 1000 + 1e-9));
}

const realClock: MonotonicClock = { now: () => performance.now() };
const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A sleep for sub-millisecond latencies: a 1 ms `setTimeout` wakes 1–3 ms late on this VM, and
 * the open-loop latency would charge that lag to the service. Under 3 ms it yields with
 * `setImmediate` (I/O still runs between turns); longer waits sleep to 2 ms before the due
 * time. The price is a busy core in the generator, so the mesh generator keeps `setTimeout`.
 */
export const preciseSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => (ms < 3 ? setImmediate(resolve) : setTimeout(resolve, ms - 2)));

/** Run the schedule to its end (or abort). */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  if (!(options.rate > 0)) throw new RangeError('rate must be > 0');
  const clock = options.clock ?? realClock;
  const sleep = options.sleep ?? realSleep;
  const planned = plannedArrivals(options.rate, options.durationMs);
  const interval = 1000 / options.rate;
  const startedAt = clock.now();
  const due = (i: number): number => startedAt + i * interval;
  let next = 0;
  let maxBurst = 0;
  let endedAt = startedAt;
  while (next < planned && !options.signal?.aborted) {
    const now = clock.now();
    let burst = 0;
    while (next < planned && due(next) <= now) {
      options.fire(next, due(next));
      next++;
      burst++;
    }
    if (burst > 0) endedAt = clock.now();
    maxBurst = Math.max(maxBurst, burst);
    if (next >= planned) break;
    // Sleep until the next arrival; timers are ~1 ms coarse, the catch-up above absorbs that.
    await sleep(Math.max(0, due(next) - clock.now()));
  }
  return { fired: next, plannedCount: planned, startedAt, endedAt, maxBurst };
}
