/**
 * Availability of one shared store (Redis) as seen by one process: a small circuit breaker that
 * the Redis-backed stores of a service share, so one failed or slow command moves all of them to
 * their local state at once, and one successful probe brings all of them back (after each store
 * has merged what it kept locally).
 *
 * Hand-written, like quota's fallback store (apps/quota/src/domain/fallback-quota-store.ts): the
 * breaker is a few dozen lines and must run the stores' merge-back before it closes, which no
 * circuit-breaker library we looked at (opossum, cockatiel) offers. No Redis import here: the
 * caller passes `ping`, so the stores' domain code can depend on this port alone.
 */

/** Why one command was answered locally. */
export type FallbackReason = 'timeout' | 'error' | 'down';

/** Counters and gauges the breaker reports to (see `telemetry.ts`). */
export interface AvailabilityMetrics {
  /** Redis is (true) or is not (false) in use. */
  up(up: boolean): void;
  /** One store operation was answered from local state. */
  fallback(store: string, reason: FallbackReason): void;
  /** `count` items kept locally during an outage were written back to Redis. */
  merged(store: string, count: number): void;
}

/** Narrow logger (pino-compatible). */
export interface AvailabilityLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * Runs after a successful probe, before the stores go back to Redis. Writes back what the store
 * kept locally and returns how many items it wrote; a store whose local state is empty at the
 * moment it returns MUST return 0 synchronously-last (no await after its emptiness check), so the
 * breaker can close with nothing left behind. A rejection keeps the breaker open (retried later).
 */
export type RecoverHook = () => Promise<number>;

/** The port every store wrapper sees. */
export interface StoreAvailability {
  /** True while commands go to Redis. */
  readonly up: boolean;
  /**
   * Run `remote` within the deadline; when Redis is down, or `remote` fails or is late, answer
   * with `local` instead (and, unless the late answer was our own event loop's fault, mark Redis
   * down). `store` names the store in metrics.
   */
  run<T>(store: string, remote: () => Promise<T>, local: () => T | Promise<T>): Promise<T>;
  /** Register the merge-back hook of `store` (see `RecoverHook`). */
  onRecover(store: string, hook: RecoverHook): void;
  /** Health detail: up, or down since when and why. */
  status(): { up: boolean; detail: string; downSinceMs: number | null };
  /** Stop probing (shutdown). */
  close(): void;
}

/** Options of `createStoreAvailability`. */
export interface StoreAvailabilityOptions {
  /** Resolves when Redis answers (PING, or CLUSTER INFO ok on a cluster). */
  ping: () => Promise<void>;
  /** Deadline of one store operation, ms (default 100). */
  timeoutMs?: number;
  /** While down, probe at most this often, ms (default 500). */
  probeIntervalMs?: number;
  /** Wall clock for `downSinceMs` (injected so tests control it). */
  now?: () => number;
  metrics?: AvailabilityMetrics;
  logger?: AvailabilityLogger;
  /** Start marked down (Redis was not reachable at boot). */
  startDown?: boolean;
}

/** Create the breaker. */
export function createStoreAvailability(options: StoreAvailabilityOptions): StoreAvailability {
  const timeoutMs = options.timeoutMs ?? 100;
  const probeIntervalMs = options.probeIntervalMs ?? 500;
  const now = options.now ?? Date.now;
  const { metrics, logger } = options;
  const hooks: { store: string; hook: RecoverHook }[] = [];
  let up = !options.startDown;
  let downSinceMs: number | null = up ? null : now();
  let lastError = up ? '' : 'not reachable at start';
  let lastProbeAt = 0;
  let probing = false;
  let closed = false;
  metrics?.up(up);

  function markDown(error: unknown, reason: 'timeout' | 'error'): void {
    lastError = error instanceof Error ? error.message : String(error);
    if (!up) return;
    up = false;
    downSinceMs = now();
    lastProbeAt = performance.now();
    metrics?.up(false);
    logger?.warn({ err: lastError, reason }, 'redis unavailable: stores answer from local state');
  }

  async function recover(): Promise<void> {
    await withTimeout(options.ping(), timeoutMs * 4);
    // Merge back until every store reports nothing left (writes made locally while merging
    // are picked up by the next round).
    const merged: Record<string, number> = {};
    for (let round = 0; round < 10; round++) {
      const counts = await Promise.all(hooks.map(({ hook }) => hook()));
      hooks.forEach(({ store }, i) => {
        merged[store] = (merged[store] ?? 0) + (counts[i] ?? 0);
        metrics?.merged(store, counts[i] ?? 0);
      });
      if (counts.every((c) => c === 0)) break;
    }
    if (closed) return;
    up = true;
    logger?.info(
      { downMs: downSinceMs === null ? 0 : now() - downSinceMs, merged },
      'redis back: local state written back, stores use it again',
    );
    downSinceMs = null;
    lastError = '';
    metrics?.up(true);
  }

  function maybeProbe(): void {
    if (up || probing || closed || performance.now() - lastProbeAt < probeIntervalMs) return;
    probing = true;
    lastProbeAt = performance.now();
    recover()
      .catch((error: unknown) => {
        lastError = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        probing = false;
        lastProbeAt = performance.now();
      });
  }

  // While down, probe on a timer too: recovery (and merge-back) must not wait for traffic.
  const timer = setInterval(maybeProbe, probeIntervalMs);
  timer.unref();

  return {
    get up() {
      return up;
    },
    async run(store, remote, local) {
      if (!up) {
        maybeProbe();
        metrics?.fallback(store, 'down');
        return local();
      }
      try {
        return await withTimeout(remote(), timeoutMs);
      } catch (error) {
        const reason = error instanceof TimeoutError ? 'timeout' : 'error';
        // A deadline timer that fired late says our event loop is overloaded, not Redis:
        // answer this call locally but keep using Redis.
        if (!(error instanceof TimeoutError && error.lateByMs > timeoutMs)) markDown(error, reason);
        metrics?.fallback(store, reason);
        return local();
      }
    },
    onRecover(store, hook) {
      hooks.push({ store, hook });
    },
    status() {
      return {
        up,
        downSinceMs,
        detail: up
          ? 'redis in use'
          : `redis down (${lastError || 'unreachable'}): answering from local state`,
      };
    },
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}

/** A deadline that passed; `lateByMs` is how late its own timer fired (event-loop lag). */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    message: string,
    readonly lateByMs: number,
  ) {
    super(message);
  }
}

/** Reject after `ms` of wall-clock time. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const due = performance.now() + ms;
    const timer = setTimeout(
      () => reject(new TimeoutError(`timed out after ${ms} ms`, performance.now() - due)),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
