import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per process, with Node's default metrics and RPC instruments. */
export interface ServiceMetrics {
  registry: Registry;
  rpcDuration: Histogram<'service' | 'method' | 'code'>;
  rpcErrors: Counter<'service' | 'method' | 'code'>;
}

/**
 * How often the event-loop delay monitor (`nodejs_eventloop_lag_*`) samples, ms. prom-client's
 * default, 10 ms, wakes every process 100 times a second whether or not anything happens: on a
 * host where a wake-up is dear (a 2-vCPU VM here: ~0.1–0.3 ms of CPU each) that was most of an
 * idle service's CPU and about a third of all wake-ups of a mesh at 50 actions/s. At 100 ms a
 * stall shorter than the interval may go unseen, but any that holds the loop across a sample
 * shows in full.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  cpuUsageGauge(registry);
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
      metrics.rpcDuration.observe(
        { ...labels, code: 'ok' },
        Number(process.hrtime.bigint() - start) / 1e9,
      );
      return res;
    } catch (err) {
      const code = err instanceof ConnectError ? Code[err.code] : 'Internal';
      metrics.rpcDuration.observe(
        { ...labels, code },
        Number(process.hrtime.bigint() - start) / 1e9,
      );
      metrics.rpcErrors.inc({ ...labels, code });
      throw err;
    }
  };
}

/**
 * `nethical_cpu_usage_percent` (the seed's name): this process's CPU time (user + system) over
 * the wall time since the previous scrape, in percent of one core (above 100 when worker threads
 * run in parallel). `process_cpu_seconds_total` stays beside it for `rate()`-based queries.
 */
export function cpuUsageGauge(
  registry: Registry,
  now: () => bigint = process.hrtime.bigint,
): Gauge {
  let lastWall = now() - BigInt(Math.round(process.uptime() * 1e9));
  let lastCpu = 0;
  return new Gauge({
    name: 'nethical_cpu_usage_percent',
    help: 'CPU used by this process since the previous scrape, percent of one core.',
    registers: [registry],
    collect() {
      const wall = now();
      const usage = process.cpuUsage();
      const cpu = usage.user + usage.system; // microseconds since the process started
      const elapsedUs = Number(wall - lastWall) / 1000;
      if (elapsedUs > 0) this.set(((cpu - lastCpu) / elapsedUs) * 100);
      lastWall = wall;
      lastCpu = cpu;
    },
  });
}
