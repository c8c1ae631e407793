/**
 * gateway: Nethical's public API. Composition root only: config → telemetry → clients →
 * domain → routes → serve → shutdown.
 */
import { create, type JsonObject } from '@bufbuild/protobuf';
import { auditv1, gatewayv1, healthv1, judgev1, merklev1, quotav1 } from '@nethical/contracts';
import {
  armShutdown,
  bootstrap,
  createCors,
  clientTracingInterceptor,
  createAdmission,
  createInternalClient,
  csv,
  keyTenantBindings,
  currentTraceId,
  keptSecret,
  serverTracingInterceptor,
  startServer,
} from '@nethical/platform';
import type { Interceptor } from '@connectrpc/connect';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { decisionName } from './adapters/json-view';
import { createServicePorts } from './adapters/service-ports';
import { createAuthenticator } from './domain/auth';
import { bindTenants } from './domain/tenant-binding';
import { createActionProcessor, type ActionProcessor } from './domain/process-action';
import {
  createResidencyRouter,
  credentialsOf,
  FORWARDED_FROM,
  parseRegionGateways,
  parseTenantHomes,
} from './domain/residency';
import { createSlaMonitor } from './domain/sla-monitor';
import { createStatsPublisher } from './domain/published-stats';
import { rpcAuthInterceptor } from './routes/rpc-auth';
import { adminService } from './routes/admin-service';
import { consoleRoutes, loadConsoleFiles } from './routes/console-routes';
import { operationsService } from './routes/operations-service';
import { governanceService } from './routes/governance-service';
import { gatewayHttpRoutes } from './routes/http-routes';
import { createOperatorPorts } from './routes/operator-ports';
import {
  actionErrorsInterceptor,
  countActionHttpErrors,
  createGatewayInstruments,
} from './telemetry';

const base = await bootstrap('gateway');
const { config, logger, metrics, health, shutdown } = base;

const tracing: Interceptor[] = config.NETHICAL_ENABLE_OTEL ? [clientTracingInterceptor()] : [];
const impl = config.NETHICAL_RPC_CLIENT;
const rpc = { timeoutMs: config.NETHICAL_RPC_TIMEOUT_MS, interceptors: tracing, impl };
const quotaTimeoutMs = Math.min(rpc.timeoutMs, 1000);
const quota = createInternalClient(quotav1.QuotaService, config.NETHICAL_QUOTA_URL, {
  ...rpc,
  timeoutMs: quotaTimeoutMs,
});
const judge = createInternalClient(judgev1.PolicyJudgeService, config.NETHICAL_JUDGE_URL, rpc);
const audit = createInternalClient(auditv1.AuditStoreService, config.NETHICAL_AUDIT_URL, rpc);
const merkle = createInternalClient(merklev1.MerkleAnchorService, config.NETHICAL_MERKLE_URL, rpc);
const downstream = {
  quota: createInternalClient(healthv1.Health, config.NETHICAL_QUOTA_URL, {
    timeoutMs: 1000,
    impl,
  }),
  'policy-judge': createInternalClient(healthv1.Health, config.NETHICAL_JUDGE_URL, {
    timeoutMs: 1000,
    impl,
  }),
  'audit-store': createInternalClient(healthv1.Health, config.NETHICAL_AUDIT_URL, {
    timeoutMs: 1000,
    impl,
  }),
  'merkle-anchor': createInternalClient(healthv1.Health, config.NETHICAL_MERKLE_URL, {
    timeoutMs: 1000,
    impl,
  }),
};

const instruments = createGatewayInstruments(metrics.registry);
const stats = createStatsPublisher({
  mode: config.NETHICAL_PRIVACY_MODE,
  epsilon: config.NETHICAL_EPSILON,
});
const sla = createSlaMonitor(config.NETHICAL_SLA_P99_MS, 60, () => Date.now());
const limits = {
  maxPayloadBytes: config.NETHICAL_MAX_PAYLOAD_BYTES,
  defaultRegion: config.NETHICAL_REGION_ID,
  defaultTenant: config.NETHICAL_LOGICAL_DOMAIN,
};
const batching = (call: string) => ({
  maxItems: 256,
  maxBytes: config.NETHICAL_MAX_PAYLOAD_BYTES + 512 * 1024,
  onBatch: (n: number) => instruments.batch.observe({ call }, n),
  ...(config.NETHICAL_BATCH_MAX_IN_FLIGHT > 0
    ? { maxInFlight: config.NETHICAL_BATCH_MAX_IN_FLIGHT }
    : {}),
});
const ports = createServicePorts({
  quota: config.NETHICAL_ENABLE_QUOTA ? quota.client : undefined,
  judge: judge.client,
  audit: audit.client,
  logger,
  onQuotaUnavailable: () => instruments.quotaBypassed.inc(),
  timeoutsMs: { quota: quotaTimeoutMs, judge: rpc.timeoutMs, audit: rpc.timeoutMs },
  // A batch stays below what the judge and audit store accept in one request (readMaxBytes).
  ...(config.NETHICAL_AUDIT_BATCHING ? { auditBatching: batching('audit') } : {}),
  ...(config.NETHICAL_JUDGE_BATCHING ? { judgeBatching: batching('judge') } : {}),
  ...(config.NETHICAL_QUOTA_BATCHING ? { quotaBatching: batching('quota') } : {}),
});
const processor = createActionProcessor({
  ports,
  requestDigestKey: keptSecret({
    configured: config.NETHICAL_REQUEST_DIGEST_KEY,
    file: path.resolve(config.NETHICAL_STORAGE_DIR, 'gateway', 'request-digest.key'),
    generate: () => randomBytes(32).toString('base64url'),
    logger,
    warning:
      'generated a request-digest key; gateways that share retries must share NETHICAL_REQUEST_DIGEST_KEY',
  }),
  now: () => new Date(),
  newActionId: randomUUID,
  observeStage: (stage, s) => instruments.stageDuration.observe({ stage }, s),
  traceId: currentTraceId,
});

/** Count decisions, rejections and latency around the processor, per protocol. */
const instrumented =
  (protocol: string): ActionProcessor =>
  async (req, scope) => {
    const start = performance.now();
    try {
      const out = await processor(req, scope);
      const ms = performance.now() - start;
      instruments.actionDuration.observe({ protocol }, ms / 1000);
      instruments.latency.observe({ protocol, region: config.NETHICAL_REGION_ID }, ms / 1000);
      const decision = decisionName(out.response.decision);
      instruments.decisions.inc({ decision });
      instruments.actions.inc({ decision, protocol, region: config.NETHICAL_REGION_ID });
      stats.record(decision);
      if (config.NETHICAL_ENABLE_SLA_MONITORING) sla.record(ms);
      return out;
    } catch (err) {
      const name = err instanceof Error ? err.name : 'internal';
      instruments.rejected.inc({ reason: name });
      throw err;
    }
  };

/**
 * Home regions and residency in front of the instrumented processor: an action forwarded to its
 * home region is counted there, and here only in nethical_region_routed_total.
 */
const tenantHomes = parseTenantHomes(config.NETHICAL_TENANT_HOME_REGIONS);
const regionGateways = parseRegionGateways(config.NETHICAL_REGION_GATEWAYS);
const peerGateways = new Map<
  string,
  ReturnType<typeof createInternalClient<typeof gatewayv1.GovernanceService>>
>();
const peer = (url: string) => {
  let c = peerGateways.get(url);
  if (!c) peerGateways.set(url, (c = createInternalClient(gatewayv1.GovernanceService, url, rpc)));
  return c.client;
};
/** Outermost: a key bound to a tenant fixes tenant_id before quota, residency or the judge see it. */
const served = (protocol: string): ActionProcessor =>
  bindTenants(servedInRegion(protocol), {
    tenantOf: (header) => auth.tenantOf(header),
    defaultTenant: config.NETHICAL_LOGICAL_DOMAIN,
  });
const servedInRegion = (protocol: string): ActionProcessor =>
  createResidencyRouter({
    ownRegion: config.NETHICAL_REGION_ID,
    homes: tenantHomes,
    gateways: regionGateways,
    local: instrumented(protocol),
    newActionId: randomUUID,
    onRoute: (to, outcome) => instruments.routed.inc({ to, outcome }),
    forward: async (url, req, scope) => {
      const response = await peer(url).processAction(
        create(gatewayv1.ProcessActionRequestSchema, {
          agentId: req.agentId,
          action: req.action,
          actionType: req.actionType,
          actionId: req.actionId,
          ...(req.context ? { context: req.context as JsonObject } : {}),
          cohort: req.cohort,
          regionId: req.regionId,
          tenantId: req.tenantId,
        }),
        {
          signal: scope.signal,
          ...(scope.deadline === undefined
            ? {}
            : { timeoutMs: Math.max(1, scope.deadline - Date.now()) }),
          headers: { ...credentialsOf(scope), [FORWARDED_FROM]: config.NETHICAL_REGION_ID },
        },
      );
      return { response };
    },
  });

const ops = createOperatorPorts({
  audit: audit.client,
  merkle: merkle.client,
  judge: judge.client,
});
const auth = createAuthenticator(
  csv(config.NETHICAL_API_KEYS),
  csv(config.NETHICAL_ADMIN_API_KEYS),
  // Validated with the configuration: a malformed entry stopped the service at start.
  keyTenantBindings(config.NETHICAL_API_KEY_TENANTS).bindings,
);
if (auth.open.agent)
  logger.warn('NETHICAL_API_KEYS is empty: the action API is open to anyone who can reach it');
if (auth.open.operator) logger.warn('NETHICAL_ADMIN_API_KEYS is empty: operator routes are open');

for (const [name, h] of Object.entries(downstream)) {
  health.addComponent(name, async () => {
    const res = await h.client.check({ service: '' });
    return { ok: res.status === healthv1.HealthCheckResponse_ServingStatus.SERVING };
  });
}
if (config.NETHICAL_ENABLE_SLA_MONITORING) {
  const refresh = setInterval(() => {
    const s = sla.status();
    instruments.slaP99.set(s.p99Ms / 1000);
    instruments.slaBreached.set(s.breached ? 1 : 0);
  }, 1000);
  refresh.unref();
}

const operations = {
  stats,
  sla: () => (config.NETHICAL_ENABLE_SLA_MONITORING ? sla.status() : undefined),
  actionsTotal: async () =>
    (await instruments.decisions.get()).values.reduce((n, v) => n + v.value, 0),
  now: () => new Date(),
};
const consoleFiles = loadConsoleFiles(path.resolve(config.NETHICAL_CONSOLE_DIR));
if (!consoleFiles)
  logger.warn(
    { dir: config.NETHICAL_CONSOLE_DIR },
    'the console is not built; /console answers 404 (npm run build:console)',
  );

const server = await startServer({
  name: 'gateway',
  host: config.NETHICAL_HOST,
  port: base.port,
  services: [gatewayv1.GovernanceService, gatewayv1.AdminService, gatewayv1.OperationsService],
  grpcUnaryLane: config.NETHICAL_GRPC_UNARY_LANE,
  routes: (router) => {
    router.service(
      gatewayv1.GovernanceService,
      governanceService(served('rpc'), limits, ops, config.NETHICAL_HTTP_DEADLINE_MS),
    );
    router.service(gatewayv1.AdminService, adminService(ops));
    router.service(gatewayv1.OperationsService, operationsService(operations));
  },
  httpRoutes: [
    ...consoleRoutes(consoleFiles),
    ...countActionHttpErrors(
      gatewayHttpRoutes({
        processAction: served('http'),
        limits,
        deadlineMs: config.NETHICAL_HTTP_DEADLINE_MS,
        ops,
        auth,
        logger,
        stats,
        health: async () => {
          const h = await health.check();
          return {
            ready: h.ready,
            region: config.NETHICAL_REGION_ID,
            components: h.components,
            ...(config.NETHICAL_ENABLE_SLA_MONITORING ? { sla: sla.status() } : {}),
          };
        },
      }),
      instruments.errors,
    ),
  ],
  health,
  metrics,
  logger,
  interceptors: [
    actionErrorsInterceptor(instruments.errors),
    rpcAuthInterceptor(auth),
    ...(config.NETHICAL_ENABLE_OTEL ? [serverTracingInterceptor()] : []),
  ],
  readMaxBytes: config.NETHICAL_MAX_PAYLOAD_BYTES + 64 * 1024,
  cors: createCors(csv(config.NETHICAL_CORS_ORIGINS)),
  admission: createAdmission({
    maxInFlight: config.NETHICAL_MAX_IN_FLIGHT,
    registry: metrics.registry,
    // An action refused for overload is a failed action too (nethical_errors_total).
    onReject: (what) => {
      if (what === '/process_action')
        instruments.errors.inc({ reason: 'unavailable', protocol: 'http' });
      else if (what === `${gatewayv1.GovernanceService.typeName}/ProcessAction`)
        instruments.errors.inc({ reason: 'unavailable', protocol: 'rpc' });
    },
  }),
});

shutdown.add('not ready', () => health.setShuttingDown());
shutdown.add('drain requests', () => server.close(config.NETHICAL_SHUTDOWN_TIMEOUT_MS / 2));
shutdown.add('close clients', () => {
  for (const c of [quota, judge, audit, merkle, ...Object.values(downstream)]) c.close();
});
armShutdown(base);
health.setStarted();
logger.info(`gateway listening on http://${config.NETHICAL_HOST}:${server.port}`);
