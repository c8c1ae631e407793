import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ConnectError, type Interceptor } from '@connectrpc/connect';
import type { NethicalConfig } from './config';
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
  logger.info({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT }, 'OpenTelemetry tracing on');
  return {
    stop: () => sdk.shutdown().catch((err: unknown) => logger.warn({ err }, 'telemetry flush failed')),
  };
}

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
