import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Admission control: at most `maxInFlight` requests are worked on at once; the excess is refused
 * at once (503 / UNAVAILABLE with Retry-After) instead of queueing without bound. Under overload
 * an unbounded queue makes every answer late (clients time out while the server keeps working
 * on requests nobody waits for); a bound keeps the accepted ones fast and tells the others to
 * back off while it is still cheap to say so.
 *
 * Hand-written: a counter and a check. The libraries that exist (p-limit, bottleneck) queue
 * rather than refuse, which is the behaviour this replaces.
 */
export interface Admission {
  /**
   * A release function when admitted, undefined when full. Call release exactly once. `what`
   * (an HTTP route path, or `<service>/<method>`) is handed to `onReject` when refused.
   */
  tryAcquire(what?: string): (() => void) | undefined;
  readonly inFlight: number;
  readonly limit: number;
  /** Seconds a refused client should wait (Retry-After). */
  readonly retryAfterSeconds: number;
}

export interface AdmissionOptions {
  /** Requests worked on at once; 0 means unbounded. */
  maxInFlight: number;
  retryAfterSeconds?: number;
  /** Where `nethical_admission_*` metrics go. */
  registry?: Registry;
  /** Told what was refused (e.g. the gateway counts refused actions in its error metric). */
  onReject?: (what: string) => void;
}

export function createAdmission(options: AdmissionOptions): Admission {
  let inFlight = 0;
  const registers = options.registry ? [options.registry] : [];
  const rejected = new Counter({
    name: 'nethical_admission_rejected_total',
    help: 'Requests refused at once (503 / UNAVAILABLE) because the in-flight limit was reached.',
    registers,
  });
  new Gauge({
    name: 'nethical_admission_in_flight',
    help: 'Requests being worked on now (admitted, not yet answered).',
    registers,
    collect() {
      this.set(inFlight);
    },
  });
  new Gauge({
    name: 'nethical_admission_limit',
    help: 'In-flight limit (NETHICAL_MAX_IN_FLIGHT / NETHICAL_INTERNAL_MAX_IN_FLIGHT); 0 when unbounded.',
    registers,
    collect() {
      this.set(Number.isFinite(limit) ? limit : 0);
    },
  });
  const limit = options.maxInFlight > 0 ? options.maxInFlight : Number.POSITIVE_INFINITY;
  const release = () => {
    inFlight -= 1;
  };
  return {
    tryAcquire(what = '') {
      if (inFlight >= limit) {
        rejected.inc();
        options.onReject?.(what);
        return undefined;
      }
      inFlight += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    },
    get inFlight() {
      return inFlight;
    },
    limit,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
  };
}

/** The error a refused RPC gets: UNAVAILABLE (HTTP 503) with a `retry-after` header. */
export function overloadedError(admission: Admission): ConnectError {
  const err = new ConnectError(
    `server overloaded: ${admission.limit} requests in flight; retry after ${admission.retryAfterSeconds} s`,
    Code.Unavailable,
  );
  err.metadata.set('retry-after', String(admission.retryAfterSeconds));
  return err;
}

/**
 * Server interceptor: refuse when full, and drop work whose deadline already passed or whose
 * client went away while it waited (it would be finished for nobody). Health and reflection are
 * never refused, so probes and tools keep working under load.
 */
export function admissionInterceptor(
  admission: Admission,
  exempt: (service: string) => boolean,
): Interceptor {
  return (next) => async (req) => {
    // Streams (tailing, reflection) are long-lived and not the work being shed.
    if (req.stream || exempt(req.service.typeName)) return next(req);
    if (req.signal.aborted) {
      throw new ConnectError(
        'deadline exceeded or caller gone before the call started',
        Code.DeadlineExceeded,
      );
    }
    const release = admission.tryAcquire(`${req.service.typeName}/${req.method.name}`);
    if (!release) throw overloadedError(admission);
    try {
      return await next(req);
    } finally {
      release();
    }
  };
}

/** Services that are always admitted: probes and tooling. */
export const probeServices = (service: string): boolean =>
  service === 'grpc.health.v1.Health' || service.startsWith('grpc.reflection.');
