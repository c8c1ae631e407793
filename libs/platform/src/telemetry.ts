import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ConnectError, type Interceptor } from '@connectrpc/connect';
import type { NethicalConfig } from './config';
import type { HttpRoute } from './http-routes';
import type { Logger } from './logger';

export interface Telemetry {
  stop(): Promise<void>;
}

/**
 * Start OpenTelemetry tracing when NETHICAL_ENABLE_OTEL is on: NodeSDK with the OTLP/HTTP
 * exporter at OTEL_EXPORTER_OTLP_ENDPOINT, the gRPC and HTTP instrumentations, and W3C trace
 * context. An unreachable collector never fails a request: export errors are only logged.
 */
export async function startTelemetry(config: NethicalConfig, service: string, logger: Logger): Promise<Telemetry> {
  if (!config.NETHICAL_ENABLE_OTEL || config.OTEL_EXPORTER === 'none') return { stop: async () => {} };
  const [{ NodeSDK }, { OTLPTraceExporter }, { GrpcInstrumentation }, { HttpInstrumentation }, sdkTrace] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/instrumentation-grpc'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/sdk-node').then((m) => m.tracing),
    ]);
  const exporter =
    config.OTEL_EXPORTER === 'console'
      ? new sdkTrace.ConsoleSpanExporter()
      : new OTLPTraceExporter({ url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces` });
  const sdk = new NodeSDK({
    serviceName: `${config.OTEL_SERVICE_NAME}-${service}`,
    spanProcessors: [new sdkTrace.BatchSpanProcessor(exporter)],
    instrumentations: [new GrpcInstrumentation(), new HttpInstrumentation()],
  });
  sdk.start();
  tracingOn = true;
  logger.info({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT }, 'OpenTelemetry tracing on');
  return {
    stop: () => sdk.shutdown().catch((err: unknown) => logger.warn({ err }, 'telemetry flush failed')),
  };
}

/** Set once tracing started; plain HTTP routes are wrapped only then (no cost when off). */
let tracingOn = false;

const tracer = () => trace.getTracer('nethical');

function endSpan(span: Span, err?: unknown): void {
  if (err) {
    span.recordException(err instanceof Error ? err : new Error(String(err)));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof ConnectError ? err.rawMessage : String(err) });
  }
  span.end();
}

/** Server interceptor: continue the caller's trace (traceparent header) in a server span. */
export function serverTracingInterceptor(): Interceptor {
  return (next) => async (req) => {
    const carrier: Record<string, string> = {};
    req.header.forEach((v, k) => (carrier[k] = v));
    const parent = propagation.extract(context.active(), carrier);
    const span = tracer().startSpan(`${req.service.typeName}/${req.method.name}`, { kind: SpanKind.SERVER }, parent);
    try {
      const res = await context.with(trace.setSpan(parent, span), () => next(req));
      endSpan(span);
      return res;
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  };
}

/** Client interceptor: a client span whose context travels in the traceparent header. */
export function clientTracingInterceptor(): Interceptor {
  return (next) => async (req) => {
    const span = tracer().startSpan(`${req.service.typeName}/${req.method.name}`, { kind: SpanKind.CLIENT });
    const ctx = trace.setSpan(context.active(), span);
    const carrier: Record<string, string> = {};
    propagation.inject(ctx, carrier);
    for (const [k, v] of Object.entries(carrier)) req.header.set(k, v);
    try {
      const res = await context.with(ctx, () => next(req));
      endSpan(span);
      return res;
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  };
}

/** The current trace id, or '' when tracing is off. */
export function currentTraceId(): string {
  const id = trace.getSpan(context.active())?.spanContext().traceId ?? '';
  return /^0+$/.test(id) ? '' : id;
}

/**
 * Server spans for plain HTTP routes (`POST /process_action` and peers), named by method and
 * route template (low cardinality), continuing the caller's W3C `traceparent`, with the handler
 * run inside the span so the action's RPCs and its audit record share the trace. Identity when
 * tracing is off. (RPC paths get theirs from {@link serverTracingInterceptor}.)
 */
export function traceHttpRoutes(routes: HttpRoute[]): HttpRoute[] {
  if (!tracingOn) return routes;
  return routes.map((route) => ({
    ...route,
    handler: (req, res, params, query) => {
      const parent = propagation.extract(context.active(), req.headers);
      const span = tracer().startSpan(
        `${route.method} ${route.path}`,
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': route.method, 'http.route': route.path } },
        parent,
      );
      res.once('close', () => {
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      return context.with(trace.setSpan(parent, span), () => route.handler(req, res, params, query));
    },
  }));
}

/**
 * Run `fn` in one span per distinct trace id of `traceIds` (the audit records of a batch that
 * merkle-anchor follows), so each action's trace shows its anchoring. The records carry only the
 * trace id, so the span's parent is the trace itself (a remote parent with the trace's id and no
 * known span): tools show it at the end of the action's trace. Calls `fn` once either way.
 */
export async function inRecordTraces<T>(name: string, traceIds: Iterable<string>, fn: () => Promise<T>): Promise<T> {
  if (!tracingOn) return fn();
  const spans: Span[] = [];
  for (const traceId of new Set(traceIds)) {
    if (!/^[0-9a-f]{32}$/.test(traceId) || /^0+$/.test(traceId)) continue;
    // The parent span id: the trace id's low half, a stable stand-in for the unknown parent.
    const parent = trace.setSpanContext(context.active(), {
      traceId,
      spanId: traceId.slice(16),
      traceFlags: 1,
      isRemote: true,
    });
    spans.push(tracer().startSpan(name, { kind: SpanKind.CONSUMER }, parent));
  }
  try {
    const out = await fn();
    for (const span of spans) endSpan(span);
    return out;
  } catch (err) {
    for (const span of spans) endSpan(span, err);
    throw err;
  }
}
