/**
 * ml-scorer: learned risk score and per-agent anomaly detection. Composition root only:
 * config → model → anomaly store (Redis when configured) → scorer → routes → serve → shutdown.
 */
import { mlv1 } from '@nethical/contracts';
import { armShutdown, bootstrap, serverTracingInterceptor, startServer } from '@nethical/platform';
import path from 'node:path';
import { createAnomalyStores } from './adapters/anomaly-stores';
import { loadModel } from './domain/model';
import { createScorer } from './domain/scorer';
import { mlService } from './routes/ml-service';

const base = await bootstrap('ml-scorer');
const { config, logger, metrics, health, shutdown } = base;
const clock = { now: () => Date.now() };

const model = await loadModel(path.resolve(config.NETHICAL_ML_MODEL_FILE));
// Redis down or slow degrades anomaly detection to this instance's baselines (docs/ml.md).
const anomaly = await createAnomalyStores(
  {
    redisUrl: config.NETHICAL_REDIS_URL,
    redisCluster: config.NETHICAL_REDIS_CLUSTER,
    enabled: config.NETHICAL_ENABLE_ANOMALY_DETECTION,
    timeoutMs: 100,
    probeIntervalMs: 500,
  },
  { registry: metrics.registry, logger, clock },
);
const anomalyStore = anomaly.store;
health.addComponent('redis', () => anomaly.health());
const scorer = createScorer({
  model,
  anomalyStore,
  clock,
  // Explanations cost 2-3x a plain score: only for actions that look risky.
  explainMinScore: 0.5,
  onStoreError: (err) => logger.warn({ err }, 'anomaly store unavailable; scoring without it'),
});
health.addComponent('scorer', async () => {
  const parts = await scorer.health();
  // The model alone can serve: a failing anomaly store degrades, it does not make us unready.
  return { ok: parts.model?.ok ?? true, detail: Object.entries(parts).map(([k, v]) => `${k}: ${v.detail}`).join('; ') };
});
logger.info({ modelFile: config.NETHICAL_ML_MODEL_FILE, anomalyStore: anomaly.kind }, 'ml-scorer ready');

const server = await startServer({
  maxInFlight: config.NETHICAL_INTERNAL_MAX_IN_FLIGHT,
  h2Server: config.NETHICAL_GRPC_SERVER,
  name: 'ml-scorer',
  host: config.NETHICAL_HOST,
  port: base.port,
  services: [mlv1.MlScorerService],
  routes: (router) =>
    router.service(mlv1.MlScorerService, mlService(scorer, { anomalyDetection: config.NETHICAL_ENABLE_ANOMALY_DETECTION })),
  health,
  metrics,
  logger,
  interceptors: config.NETHICAL_ENABLE_OTEL ? [serverTracingInterceptor()] : [],
  readMaxBytes: config.NETHICAL_MAX_PAYLOAD_BYTES * 2 + 1024 * 1024,
});

shutdown.add('not ready', () => health.setShuttingDown());
shutdown.add('drain requests', () => server.close(config.NETHICAL_SHUTDOWN_TIMEOUT_MS / 2));
shutdown.add('close redis', () => anomaly.close());
armShutdown(base);
health.setStarted();
