/**
 * quota: per-agent, per-tenant and per-region rate limits (GCRA), shared in Redis when
 * NETHICAL_REDIS_URL is set, in memory otherwise. Composition root only.
 */
import { quotav1 } from '@nethical/contracts';
import { armShutdown, bootstrap, serverTracingInterceptor, startServer } from '@nethical/platform';
import path from 'node:path';
import { createQuotaRuntime } from './adapters/quota-runtime';
import { quotaService } from './routes/quota-service';

const base = await bootstrap('quota');
const { config, logger, metrics, health, shutdown } = base;

const quota = await createQuotaRuntime(
  {
    regionId: config.NETHICAL_REGION_ID,
    requestsPerSecond: config.NETHICAL_REQUESTS_PER_SECOND,
    maxPayloadBytes: config.NETHICAL_MAX_PAYLOAD_BYTES,
    limitsFile: path.resolve(config.NETHICAL_QUOTA_LIMITS_FILE),
    redisUrl: config.NETHICAL_REDIS_URL,
    redisCluster: config.NETHICAL_REDIS_CLUSTER,
    failureMode: config.NETHICAL_QUOTA_FAILURE_MODE,
    timeoutMs: config.NETHICAL_QUOTA_TIMEOUT_MS,
    tripAfterMs: config.NETHICAL_QUOTA_TRIP_AFTER_MS,
    expectedInstances: config.NETHICAL_QUOTA_EXPECTED_INSTANCES,
    probeIntervalMs: config.NETHICAL_QUOTA_PROBE_INTERVAL_MS,
    replayWindowMs: config.NETHICAL_QUOTA_REPLAY_WINDOW_SECONDS * 1000,
  },
  { registry: metrics.registry, logger },
);
logger.info(
  {
    store: config.NETHICAL_REDIS_URL ? 'redis' : 'memory',
    regionRps: config.NETHICAL_REQUESTS_PER_SECOND,
  },
  'quota ready',
);
health.addComponent('quota-store', async () => {
  const components = await quota.health();
  // Redis trouble degrades to the local limiter (still ready), with the detail for operators.
  const detail = Object.entries(components)
    .map(([name, c]) => `${name}: ${c.ok ? 'ok' : 'down'}${c.detail ? ` (${c.detail})` : ''}`)
    .join('; ');
  // In fail-closed mode a Redis outage denies every check: then we are not ready.
  const closedAndDown = config.NETHICAL_QUOTA_FAILURE_MODE === 'closed' && components.fallback?.ok === false;
  return { ok: !closedAndDown, detail };
});

const server = await startServer({
  maxInFlight: config.NETHICAL_INTERNAL_MAX_IN_FLIGHT,
  h2Server: config.NETHICAL_GRPC_SERVER,
  name: 'quota',
  host: config.NETHICAL_HOST,
  port: base.port,
  services: [quotav1.QuotaService],
  routes: (router) => router.service(quotav1.QuotaService, quotaService(quota)),
  health,
  metrics,
  logger,
  interceptors: config.NETHICAL_ENABLE_OTEL ? [serverTracingInterceptor()] : [],
});

shutdown.add('not ready', () => health.setShuttingDown());
shutdown.add('drain requests', () => server.close(config.NETHICAL_SHUTDOWN_TIMEOUT_MS / 2));
shutdown.add('close quota store', () => quota.close());
armShutdown(base);
health.setStarted();
