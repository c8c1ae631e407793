import { QuotaStoreError } from './errors';
import type { Clock, ConsumeRequest, ConsumeResult, QuotaHealth, QuotaStore } from './quota-store';

/**
 * What to do while the primary store (Redis) is failing:
 * - `local`: answer from the in-memory limiter with this instance's share of each limit;
 * - `open`: allow everything (availability over protection);
 * - `closed`: reject with `QuotaStoreError` (UNAVAILABLE) — never a denial.
 */
export type FailureMode = 'local' | 'open' | 'closed';

/** Narrow logger (pino-compatible). */
export interface QuotaLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Counters the fallback store reports to (implemented in `telemetry.ts`). */
export interface FallbackMetrics {
  /** The primary failed one check (`timeout` or `error`). */
  storeError(reason: 'timeout' | 'error'): void;
  /** A check was answered by the failure mode instead of the primary. */
  fallbackCheck(mode: FailureMode): void;
  /** The primary store is (1) or is not (0) in use. */
  primaryUp(up: boolean): void;
}

/** Options of `createFallbackQuotaStore`. */
export interface FallbackQuotaStoreOptions {
  mode: FailureMode;
  /** Per-check deadline of the primary, ms (default 50). */
  timeoutMs?: number;
  /**
   * Failures must go on this long, with no success between, before the primary is marked down
   * (default 250 ms; 0: at the first failure). Until then each failing check is answered by the
   * failure mode but the next one still asks the primary, so a stall of a few tens of ms (a
   * descheduled Redis on a busy host) costs those checks only, not a whole probe interval.
   */
  tripAfterMs?: number;
  /** While down, probe the primary in the background at most this often, ms (default 1000). */
  probeIntervalMs?: number;
  /** Instances sharing the limits; the local limiter gets limit / expectedInstances (default 1). */
  expectedInstances?: number;
  clock: Clock;
  metrics?: FallbackMetrics;
  logger?: QuotaLogger;
}

/**
 * Wrap a primary store (Redis) so that a failing or slow primary never fails or stalls a check.
 * A check that fails (error or `timeoutMs`) is itself answered by the failure mode; once failures
 * have lasted `tripAfterMs` with no success between, the primary is marked down: later checks skip it (no timeout paid per check) while a
 * background probe runs at most every `probeIntervalMs`; the first successful probe puts the
 * primary back in use. Hand-written: the breaker is a dozen lines and has to share state with
 * the local limiter, which no circuit-breaker library does.
 */
export function createFallbackQuotaStore(
  primary: QuotaStore,
  fallback: QuotaStore,
  options: FallbackQuotaStoreOptions,
): QuotaStore {
  const timeoutMs = options.timeoutMs ?? 50;
  const tripAfterMs = options.tripAfterMs ?? 250;
  const probeIntervalMs = options.probeIntervalMs ?? 1000;
  const instances = Math.max(1, options.expectedInstances ?? 1);
  const { clock, metrics, logger, mode } = options;
  let up = true;
  let lastProbeAt = 0;
  let probing = false;
  let lastError = '';
  let closed = false;
  /** When the current run of failures began (undefined after a success). */
  let failingSince: number | undefined;

  function markDown(error: unknown, reason: 'timeout' | 'error'): void {
    metrics?.storeError(reason);
    lastError = describe(error);
    if (!up) return;
    const now = clock.now();
    failingSince ??= now;
    if (now - failingSince < tripAfterMs) return;
    up = false;
    lastProbeAt = clock.now();
    metrics?.primaryUp(false);
    logger?.warn({ err: lastError, reason, mode }, 'quota store down, using failure mode');
  }

  function maybeProbe(): void {
    if (up || probing || closed || clock.now() - lastProbeAt < probeIntervalMs) return;
    probing = true;
    lastProbeAt = clock.now();
    withTimeout(primary.ping(), timeoutMs * 4)
      .then(() => {
        if (closed) return;
        up = true;
        failingSince = undefined;
        metrics?.primaryUp(true);
        logger?.info({ store: primary.name }, 'quota store back, resuming');
      })
      .catch((error: unknown) => {
        lastError = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        probing = false;
      });
  }

  async function degrade(request: ConsumeRequest): Promise<ConsumeResult> {
    metrics?.fallbackCheck(mode);
    if (mode === 'closed') {
      throw new QuotaStoreError(`quota store ${primary.name} unavailable`, 'unavailable');
    }
    if (mode === 'open') {
      return {
        allowed: true,
        store: 'fallback',
        outcomes: request.limits.map((limit) => ({
          name: limit.name,
          allowed: true,
          remaining: limit.burst,
          retryAfterMs: 0,
          resetAfterMs: 0,
        })),
      };
    }
    const result = await fallback.consume(localShare(request));
    return { ...result, store: 'fallback' };
  }

  /** This instance's share: rate and burst divided by the expected instance count. */
  function localShare(request: ConsumeRequest): ConsumeRequest {
    const limits = request.limits.map((limit) => ({
      ...limit,
      rate: limit.rate / instances,
      burst: Math.max(1, Math.floor(limit.burst / instances)),
    }));
    return { ...request, limits };
  }

  return {
    name: 'fallback',
    async consume(request: ConsumeRequest): Promise<ConsumeResult> {
      if (!up) {
        maybeProbe();
        return degrade(request);
      }
      try {
        const result = await withTimeout(primary.consume(request), timeoutMs);
        failingSince = undefined;
        return result;
      } catch (error) {
        if (error instanceof TimeoutError && error.lateByMs > timeoutMs) {
          // The deadline timer itself ran late: our event loop is overloaded, which says
          // nothing about Redis. Answer this check locally but keep using Redis.
          metrics?.storeError('timeout');
          return degrade(request);
        }
        markDown(error, error instanceof TimeoutError ? 'timeout' : 'error');
        return degrade(request);
      }
    },
    async refund(request: ConsumeRequest, charged: ConsumeResult): Promise<void> {
      if (charged.store === 'fallback') {
        // Answered by the failure mode: only the local limiter charged anything.
        if (mode === 'local') await fallback.refund(localShare(request), charged);
        return;
      }
      try {
        await withTimeout(primary.refund(request, charged), timeoutMs);
      } catch (error) {
        markDown(error, error instanceof TimeoutError ? 'timeout' : 'error');
        throw error instanceof QuotaStoreError
          ? error
          : new QuotaStoreError('quota refund failed', 'error', { cause: error });
      }
    },
    async activeAgents(scope: string): Promise<number> {
      if (up) {
        try {
          return await withTimeout(primary.activeAgents(scope), timeoutMs * 4);
        } catch (error) {
          markDown(error, error instanceof TimeoutError ? 'timeout' : 'error');
        }
      }
      maybeProbe();
      // Only this instance's view while the primary is down.
      return fallback.activeAgents(scope);
    },
    async ping(): Promise<void> {
      if (!up) maybeProbe();
    },
    async health(): Promise<QuotaHealth> {
      if (!up) maybeProbe();
      return {
        // Failing now counts as not ok even before the breaker trips.
        [primary.name]:
          up && failingSince === undefined ? { ok: true } : { ok: false, detail: lastError || 'down' },
        fallback: { ok: mode !== 'closed' || up, detail: `mode=${mode}, in use=${!up}` },
      };
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.allSettled([primary.close(), fallback.close()]);
    },
  };
}

/** The message with its cause's (`redis quota script failed: <what Redis or ioredis said>`). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    message: string,
    /** How much later than scheduled the deadline timer fired (event-loop lag). */
    readonly lateByMs: number,
  ) {
    super(message);
  }
}

/** Reject after `ms` (a real timer: deadlines are wall-clock even when the clock is injected). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
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
