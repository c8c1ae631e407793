/**
 * policy-judge: the hot path. Composition root only: config → policy + taxonomy → stores
 * (Redis when configured) → ML client → judge → routes → serve → shutdown.
 */
import { ActionType, judgev1, mlv1 } from '@nethical/contracts';
import {
  armShutdown,
  bootstrap,
  clientTracingInterceptor,
  createInternalClient,
  regexpTierUpFlags,
  regexpTierUpInProcess,
  serverTracingInterceptor,
  startServer,
} from '@nethical/platform';
import path from 'node:path';
import { loadPolicy, loadTaxonomy, watchPolicy } from './adapters/policy-loader';
import { createJudgeStores } from './adapters/judge-stores';
import { loadSensitiveDataPort } from './domain/detectors/sensitive-data';
import { createJudge, type MlScoreFn } from './domain/judge';
import { createPolicyHandle } from './domain/policy/policy-handle';
import { judgeService } from './routes/judge-service';
import { warmUpJudge } from './warm-up';

const base = await bootstrap('policy-judge');
const { config, logger, metrics, health, shutdown } = base;

const policyDir = path.resolve(config.NETHICAL_POLICY_DIR);
// V8's regexp tier-up is a start-up flag (libs/platform/src/regexp-tier-up.ts): the launchers
// pass it; a judge started otherwise runs correctly, only slower or faster than configured.
const regexpTierUp = regexpTierUpInProcess();
if (regexpTierUp !== config.NETHICAL_JUDGE_REGEXP_TIER_UP) {
  logger.warn(
    {
      configured: config.NETHICAL_JUDGE_REGEXP_TIER_UP,
      inProcess: regexpTierUp,
      flags: regexpTierUpFlags(config.NETHICAL_JUDGE_REGEXP_TIER_UP),
    },
    'NETHICAL_JUDGE_REGEXP_TIER_UP disagrees with the node flags this judge was started with; start node with the flags shown (the mesh and the image do)',
  );
}
const policy = createPolicyHandle(await loadPolicy(policyDir));
const watcher = watchPolicy(policyDir, (next) => {
  const previous = policy.swap(next);
  logger.info({ from: previous.revision, to: next.revision }, 'policy reloaded');
}, {
  currentRevision: policy.current().revision,
  onError: (err) => logger.error({ err }, 'policy reload rejected; the previous policy stays in force'),
});
const taxonomy = await loadTaxonomy(path.resolve(config.NETHICAL_POLICY_DIR, '..', 'taxonomy'));

// Redis down or slow degrades the judge to local state instead of failing it (docs/judge.md,
// "Redis outages"): deadline per store operation, probe period while down, mirror refresh.
const stores = await createJudgeStores(
  {
    redisUrl: config.NETHICAL_REDIS_URL,
    redisCluster: config.NETHICAL_REDIS_CLUSTER,
    regionId: config.NETHICAL_REGION_ID,
    timeoutMs: 100,
    probeIntervalMs: 500,
    syncIntervalMs: 250,
  },
  { registry: metrics.registry, logger, clock: () => Date.now() },
);
health.addComponent('redis', () => stores.health());

const wantsMl = config.NETHICAL_ENABLE_SHADOW_MODE || config.NETHICAL_ENABLE_ML_BLENDING;
const ml = wantsMl
  ? createInternalClient(mlv1.MlScorerService, config.NETHICAL_ML_URL, {
      timeoutMs: 250,
      interceptors: config.NETHICAL_ENABLE_OTEL ? [clientTracingInterceptor()] : [],
      impl: config.NETHICAL_RPC_CLIENT,
    })
  : undefined;
const mlScore: MlScoreFn | undefined = ml
  ? async ({ content, actionType, agentId }) => {
      const res = await ml.client.score({
        agentId,
        content,
        actionType: ActionType[actionType.toUpperCase() as keyof typeof ActionType] ?? ActionType.MESSAGE,
      });
      return { score: res.score, modelVersion: res.modelVersion, anomaly: res.anomaly, anomalyScore: res.anomalyScore };
    }
  : undefined;

const sensitiveData = await loadSensitiveDataPort();
const flags = {
  enableQuarantine: config.NETHICAL_ENABLE_QUARANTINE,
  enableEthicalTaxonomy: config.NETHICAL_ENABLE_ETHICAL_TAXONOMY,
  enablePerformanceOptimization: config.NETHICAL_ENABLE_PERFORMANCE_OPTIMIZATION,
  enableShadowMode: config.NETHICAL_ENABLE_SHADOW_MODE,
  enableMlBlending: config.NETHICAL_ENABLE_ML_BLENDING,
  redactionPolicy: config.NETHICAL_REDACTION_POLICY,
};
const { riskStore, quarantineStore, escalationStore } = stores;
const judge = createJudge({ policy, riskStore, quarantineStore, escalationStore, sensitiveData, taxonomy, mlScore, clock: () => Date.now(), flags });
const warmMs = await warmUpJudge({ policy, sensitiveData, taxonomy, clock: () => Date.now(), flags });
logger.info({ warmMs: Math.round(warmMs) }, 'judge warmed up');
logger.info({ revision: policy.current().revision, stores: stores.kind, ml: wantsMl }, 'judge ready');

const server = await startServer({
  maxInFlight: config.NETHICAL_INTERNAL_MAX_IN_FLIGHT,
  h2Server: config.NETHICAL_GRPC_SERVER,
  name: 'policy-judge',
  host: config.NETHICAL_HOST,
  port: base.port,
  services: [judgev1.PolicyJudgeService],
  routes: (router) => router.service(judgev1.PolicyJudgeService, judgeService(judge)),
  health,
  metrics,
  logger,
  interceptors: config.NETHICAL_ENABLE_OTEL ? [serverTracingInterceptor()] : [],
  readMaxBytes: config.NETHICAL_MAX_PAYLOAD_BYTES * 2 + 1024 * 1024,
});

shutdown.add('not ready', () => health.setShuttingDown());
shutdown.add('drain requests', () => server.close(config.NETHICAL_SHUTDOWN_TIMEOUT_MS / 2));
shutdown.add('stop policy watcher', () => watcher.close());
shutdown.add('close clients', async () => {
  ml?.close();
  await stores.close();
});
armShutdown(base);
health.setStarted();
