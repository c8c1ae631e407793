/**
 * audit-store: the durable audit trail. Composition root only: config → database → audit log →
 * routes → serve → shutdown (drain RPCs, then flush every pending append, then close the DB).
 */
import { auditv1 } from '@nethical/contracts';
import { createAuditLog } from '@nethical/audit-log';
import { armShutdown, bootstrap, serverTracingInterceptor, startServer } from '@nethical/platform';
import { openSql } from '@nethical/postgres';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { auditService } from './routes/audit-service';
import { createAuditTelemetry } from './telemetry';

const base = await bootstrap('audit-store');
const { config, logger, metrics, health, shutdown } = base;

const dataDir = path.resolve(config.NETHICAL_STORAGE_DIR, 'audit-store', 'pglite');
if (!config.NETHICAL_DATABASE_URL) mkdirSync(dataDir, { recursive: true });
const sql = await openSql({
  databaseUrl: config.NETHICAL_DATABASE_URL,
  dataDir,
  poolSize: 8,
  applicationName: 'nethical-audit-store',
});
logger.info(
  { database: sql.kind, dataDir: sql.kind === 'pglite' ? dataDir : undefined },
  'audit database open',
);
const log = await createAuditLog({ sql });
health.addComponent('database', () => log.health());
const { refused } = createAuditTelemetry(metrics.registry, sql);

const stopping = new AbortController();
const server = await startServer({
  maxInFlight: config.NETHICAL_INTERNAL_MAX_IN_FLIGHT,
  h2Server: config.NETHICAL_GRPC_SERVER,
  name: 'audit-store',
  host: config.NETHICAL_HOST,
  port: base.port,
  services: [auditv1.AuditStoreService],
  routes: (router) =>
    router.service(
      auditv1.AuditStoreService,
      auditService(log, stopping.signal, (reason) => refused.inc({ reason })),
    ),
  health,
  metrics,
  logger,
  interceptors: config.NETHICAL_ENABLE_OTEL ? [serverTracingInterceptor()] : [],
  readMaxBytes: config.NETHICAL_MAX_PAYLOAD_BYTES * 2 + 1024 * 1024,
});

shutdown.add('not ready', () => {
  health.setShuttingDown();
  stopping.abort();
});
shutdown.add('drain requests', () => server.close(config.NETHICAL_SHUTDOWN_TIMEOUT_MS / 2));
shutdown.add('flush pending appends', () => log.close());
shutdown.add('close database', () => sql.close());
armShutdown(base);
health.setStarted();
