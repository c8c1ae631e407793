import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per process, with Node's default metrics and RPC instruments. */
export interface ServiceMetrics {
  registry: Registry;
  rpcDuration: Histogram<'service' | 'method' | 'code'>;
  rpcErrors: Counter<'service' | 'method' | 'code'>;
}

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    rpcDuration: new Histogram({
      name: 'nethical_rpc_server_duration_seconds',
      help: 'Server-side RPC duration in seconds, by method and status code.',
      labelNames: ['service', 'method', 'code'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    rpcErrors: new Counter({
      name: 'nethical_rpc_server_errors_total',
      help: 'RPCs that ended with a non-OK code.',
      labelNames: ['service', 'method', 'code'],
      registers: [registry],
    }),
  };
}

/** Server interceptor recording duration and code of every RPC. */
export function metricsInterceptor(metrics: ServiceMetrics): Interceptor {
  return (next) => async (req) => {
    const start = process.hrtime.bigint();
    const labels = { service: req.service.typeName, method: req.method.name };
    try {
      const res = await next(req);
      metrics.rpcDuration.observe({ ...labels, code: 'ok' }, Number(process.hrtime.bigint() - start) / 1e9);
      return res;
    } catch (err) {
      const code = err instanceof ConnectError ? Code[err.code] : 'Internal';
      metrics.rpcDuration.observe({ ...labels, code }, Number(process.hrtime.bigint() - start) / 1e9);
      metrics.rpcErrors.inc({ ...labels, code });
      throw err;
    }
  };
}
