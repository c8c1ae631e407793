import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import type { HttpRoute } from '@nethical/platform';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The gateway's instruments: names with units, no per-agent labels. */
export function createGatewayInstruments(registry: Registry) {
  return {
    stageDuration: new Histogram({
      name: 'nethical_gateway_stage_duration_seconds',
      help: 'Time spent in each stage of processing one action (quota, judge, audit).',
      labelNames: ['stage'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
      registers: [registry],
    }),
    actionDuration: new Histogram({
      name: 'nethical_action_duration_seconds',
      help: 'End-to-end time to process one action, by protocol.',
      labelNames: ['protocol'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    decisions: new Counter({
      name: 'nethical_decisions_total',
      help: 'Decisions returned, by decision.',
      labelNames: ['decision'],
      registers: [registry],
    }),
    batch: new Histogram({
      name: 'nethical_gateway_batch_items',
      help: 'Items per batched internal call, by call: audit (AppendBatch, NETHICAL_AUDIT_BATCHING), quota (CheckBatch, NETHICAL_QUOTA_BATCHING), judge (JudgeBatch, NETHICAL_JUDGE_BATCHING).',
      labelNames: ['call'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    routed: new Counter({
      name: 'nethical_region_routed_total',
      help: 'Actions of tenants homed in another region, by home region and outcome (forwarded, failed_over: served here while the home region was down, refused: resident tenant, home region down).',
      labelNames: ['to', 'outcome'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'nethical_actions_rejected_total',
      help: 'Actions not processed, by reason (invalid, quota, unavailable, internal).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    quotaBypassed: new Counter({
      name: 'nethical_quota_unavailable_total',
      help: 'Actions let through without a quota answer because the quota service was unreachable.',
      registers: [registry],
    }),
    slaP99: new Gauge({
      name: 'nethical_sla_p99_seconds',
      help: 'Rolling p99 of end-to-end action latency.',
      registers: [registry],
    }),
    // The seed's names (its dashboard and alert rules query these), beside the richer ones above.
    actions: new Counter({
      name: 'nethical_actions_total',
      help: 'Actions judged, by decision, region (this gateway) and protocol.',
      labelNames: ['decision', 'region', 'protocol'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'nethical_latency_seconds',
      help: 'End-to-end latency of one judged action in seconds, by region and protocol.',
      labelNames: ['region', 'protocol'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'nethical_errors_total',
      help: 'Actions rejected or failed (every 4xx and 5xx answer), by reason (a gRPC code name in snake case) and protocol.',
      labelNames: ['reason', 'protocol'],
      registers: [registry],
    }),
    slaBreached: new Gauge({
      name: 'nethical_sla_breached',
      help: '1 when the rolling p99 exceeds NETHICAL_SLA_P99_MS.',
      registers: [registry],
    }),
  };
}

export type GatewayInstruments = ReturnType<typeof createGatewayInstruments>;

const snake = (code: Code) => Code[code].replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();

/** An HTTP status as the gRPC code a client of the RPC API would see (one reason vocabulary). */
export function reasonOfStatus(status: number): string {
  const codes: Record<number, Code> = {
    400: Code.InvalidArgument,
    401: Code.Unauthenticated,
    403: Code.PermissionDenied,
    404: Code.NotFound,
    408: Code.DeadlineExceeded,
    409: Code.AlreadyExists,
    413: Code.ResourceExhausted,
    429: Code.ResourceExhausted,
    499: Code.Canceled,
    501: Code.Unimplemented,
    503: Code.Unavailable,
    504: Code.DeadlineExceeded,
  };
  const code = codes[status] ?? (status >= 500 ? Code.Internal : Code.FailedPrecondition);
  return status === 413 ? 'payload_too_large' : snake(code);
}

/**
 * Count every failed ProcessAction RPC (auth, validation, quota, downstream) in
 * `nethical_errors_total`: placed first among the interceptors, it sees what the client sees.
 */
export function actionErrorsInterceptor(errors: GatewayInstruments['errors']): Interceptor {
  return (next) => async (req) => {
    if (req.method.name !== 'ProcessAction') return next(req);
    try {
      return await next(req);
    } catch (err) {
      errors.inc({ reason: snake(ConnectError.from(err).code), protocol: 'rpc' });
      throw err;
    }
  };
}

/**
 * Count every 4xx/5xx answer of the `POST /process_action` route in `nethical_errors_total`
 * (bad JSON, auth, validation, quota and downstream failures alike), from the status sent.
 */
export function countActionHttpErrors(
  routes: HttpRoute[],
  errors: GatewayInstruments['errors'],
): HttpRoute[] {
  return routes.map((route) =>
    route.method === 'POST' && route.path === '/process_action'
      ? {
          ...route,
          handler: (req, res, params, query) => {
            res.once('finish', () => {
              if (res.statusCode >= 400)
                errors.inc({ reason: reasonOfStatus(res.statusCode), protocol: 'http' });
            });
            return route.handler(req, res, params, query);
          },
        }
      : route,
  );
}
