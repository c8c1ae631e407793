/**
 * merkle-anchor: an RFC 6962 Merkle tree over the audit log with signed C2SP checkpoints.
 * Composition root only: config → database → tree store → log → checkpointer → follower →
 * routes → serve → shutdown (stop following, sign a final checkpoint, close the DB).
 */
import { auditv1, merklev1 } from '@nethical/contracts';
import { generateNoteKeys, parseSignerKey } from '@nethical/merkle';
import {
  armShutdown,
  bootstrap,
  clientTracingInterceptor,
  createInternalClient,
  keptSecret,
  serverTracingInterceptor,
  startServer,
} from '@nethical/platform';
import { openSql, storageBytesGauge } from '@nethical/postgres';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { followAuditLog } from './adapters/audit-follower';
import { openSqlTreeStore } from './adapters/sql-tree-store';
import { startCheckpointer } from './domain/checkpointer';
import { openMerkleLog } from './domain/merkle-log';
import { merkleService } from './routes/merkle-service';
import { createMerkleTelemetry } from './telemetry';

const base = await bootstrap('merkle-anchor');
const { config, logger, metrics, health, shutdown } = base;
const stateDir = path.resolve(config.NETHICAL_STORAGE_DIR, 'merkle-anchor');
mkdirSync(stateDir, { recursive: true });

/** The signer key: configured, or generated once and kept (0600) beside the embedded state. */
function loadSigner() {
  return parseSignerKey(
    keptSecret({
      configured: config.NETHICAL_MERKLE_SIGNER_KEY,
      file: path.join(stateDir, 'checkpoint-signer.key'),
      generate: () => generateNoteKeys(`nethical-${config.NETHICAL_REGION_ID}`).signerKey,
      logger,
      warning: 'generated a checkpoint signing key; set NETHICAL_MERKLE_SIGNER_KEY in production',
    }),
  );
}

const audit = createInternalClient(auditv1.AuditStoreService, config.NETHICAL_AUDIT_URL, {
  timeoutMs: config.NETHICAL_RPC_TIMEOUT_MS,
  interceptors: config.NETHICAL_ENABLE_OTEL ? [clientTracingInterceptor()] : [],
  impl: config.NETHICAL_RPC_CLIENT,
});
const signer = loadSigner();
const origin = config.NETHICAL_MERKLE_ORIGIN ?? `nethical/${config.NETHICAL_REGION_ID}/audit`;

let anchoring:
  | {
      sql: Awaited<ReturnType<typeof openSql>>;
      log: Awaited<ReturnType<typeof openMerkleLog>>;
      checkpointer: Awaited<ReturnType<typeof startCheckpointer>>;
      follower: ReturnType<typeof followAuditLog>;
      timer: NodeJS.Timeout;
    }
  | undefined;

if (config.NETHICAL_ENABLE_MERKLE) {
  const dataDir = path.join(stateDir, 'pglite');
  const sql = await openSql({
    databaseUrl: config.NETHICAL_DATABASE_URL,
    dataDir,
    poolSize: 4,
    applicationName: 'nethical-merkle-anchor',
  });
  const store = await openSqlTreeStore({ sql });
  const log = await openMerkleLog(store);
  const checkpointer = await startCheckpointer({
    log,
    store,
    signer,
    origin,
    clock: { now: () => Date.now() },
    everyLeaves: 1000,
    everyMs: 1000,
  });
  const follower = followAuditLog({
    audit: audit.client,
    nextSequence: () => log.size,
    lingerMs: config.NETHICAL_MERKLE_TAIL_LINGER_MS,
    onBatch: async (first, leaves) => {
      try {
        await log.append(first, leaves);
      } catch (err) {
        await log.reload();
        throw err;
      }
      await checkpointer.maybeCheckpoint();
    },
    logger,
  });
  const timer = setInterval(() => {
    checkpointer
      .maybeCheckpoint()
      .catch((err: unknown) => logger.error({ err }, 'checkpoint failed'));
  }, 500);
  timer.unref();
  anchoring = { sql, log, checkpointer, follower, timer };
  createMerkleTelemetry(metrics.registry, {
    treeSize: () => log.size,
    latestCheckpoint: () => checkpointer.latest(),
    following: () => follower.status.connected,
  });
  storageBytesGauge(metrics.registry, sql, 'merkle_');
  health.addComponent('database', async () => {
    await sql.query('SELECT 1');
    return { ok: true };
  });
  health.addComponent('audit-tail', () => ({
    ok: true,
    detail: follower.status.connected ? 'following' : `reconnecting: ${follower.status.lastError}`,
  }));
  logger.info({ origin, treeSize: log.size, verifierKey: signer.verifierKey }, 'Merkle log open');
} else {
  logger.warn('NETHICAL_ENABLE_MERKLE=false: the audit log is not anchored');
}

const server = await startServer({
  maxInFlight: config.NETHICAL_INTERNAL_MAX_IN_FLIGHT,
  h2Server: config.NETHICAL_GRPC_SERVER,
  name: 'merkle-anchor',
  host: config.NETHICAL_HOST,
  port: base.port,
  services: [merklev1.MerkleAnchorService],
  routes: (router) =>
    router.service(
      merklev1.MerkleAnchorService,
      merkleService({
        log: anchoring?.log,
        checkpointer: anchoring?.checkpointer,
        verifierKey: signer.verifierKey,
        anchorWaitMs: config.NETHICAL_MERKLE_TAIL_LINGER_MS + 1000,
        indexOf: async (actionId) => {
          const res = await audit.client.getRecord({ actionId });
          return res.record?.sequence ?? 0n;
        },
      }),
    ),
  health,
  metrics,
  logger,
  interceptors: config.NETHICAL_ENABLE_OTEL ? [serverTracingInterceptor()] : [],
});

shutdown.add('not ready', () => health.setShuttingDown());
shutdown.add('stop following the audit log', () => anchoring?.follower.stop());
shutdown.add('drain requests', () => server.close(config.NETHICAL_SHUTDOWN_TIMEOUT_MS / 2));
shutdown.add('final checkpoint', async () => {
  if (!anchoring) return;
  clearInterval(anchoring.timer);
  await anchoring.checkpointer.checkpointNow();
});
shutdown.add('close database', () => anchoring?.sql.close());
shutdown.add('close clients', () => audit.close());
armShutdown(base);
health.setStarted();
