import {
  closeRedis,
  connectRedis,
  createRedisTelemetry,
  createStoreAvailability,
  pingRedis,
  waitRedisReady,
  type AvailabilityLogger,
  type StoreAvailability,
} from '@nethical/redis';
import type { Registry } from 'prom-client';
import {
  createMemoryEscalationStore,
  type EscalationStore,
} from '../domain/escalation/escalation-store.js';
import { createFallbackEscalationStore } from '../domain/escalation/fallback-escalation-store.js';
import { createMirroredQuarantineStore } from '../domain/quarantine/mirrored-quarantine-store.js';
import {
  createMemoryQuarantineStore,
  type QuarantineStore,
} from '../domain/quarantine/quarantine-store.js';
import { createMemoryRiskStore, type RiskStore } from '../domain/risk/agent-risk.js';
import { createFallbackRiskStore } from '../domain/risk/fallback-risk-store.js';
import { createRedisEscalationStore } from './redis-escalation-store.js';
import { createRedisQuarantineStore } from './redis-quarantine-store.js';
import { createRedisRiskStore } from './redis-risk-store.js';

/** Settings of the judge's state stores. */
export interface JudgeStoresConfig {
  /** `NETHICAL_REDIS_URL`; memory stores (one instance) when unset. */
  redisUrl?: string | undefined;
  /** `NETHICAL_REDIS_CLUSTER`. */
  redisCluster?: boolean;
  /** `NETHICAL_REGION_ID`: scopes the escalation queue (risk and quarantine are global). */
  regionId: string;
  /** Deadline of one store operation before local state answers, ms (default 100). */
  timeoutMs?: number;
  /** Redis probe period while down, ms (default 500). */
  probeIntervalMs?: number;
  /** Quarantine mirror refresh period, ms (default 250). */
  syncIntervalMs?: number;
  /** Key prefix (default `nethical:judge:`; tests use their own). */
  keyPrefix?: string;
}

/** The judge's stores, a health probe and a close. */
export interface JudgeStores {
  riskStore: RiskStore;
  quarantineStore: QuarantineStore;
  escalationStore: EscalationStore;
  /** `redis` | `memory`. */
  kind: 'redis' | 'memory';
  /** Health component: ok (ready) even while degraded to local state. */
  health(): { ok: boolean; degraded?: boolean; detail: string };
  /** The breaker, for tests. */
  availability?: StoreAvailability;
  close(): Promise<void>;
}

/**
 * Risk, quarantine and escalation stores of the judge. With Redis (standalone or Cluster): the
 * Redis stores behind one `StoreAvailability` breaker and their local fallbacks (see the policy
 * in each `fallback-*` / `mirrored-*` store and docs/judge.md), so a Redis outage degrades the
 * judge instead of failing it. Key layout: risk `<prefix>risk:<agent>` and quarantine
 * `<prefix>{quarantine}` are shared by every region (an agent is quarantined everywhere); the
 * escalation queue is `<prefix><region>:escalations`.
 */
export async function createJudgeStores(
  config: JudgeStoresConfig,
  deps: {
    registry: Registry;
    logger: AvailabilityLogger & { error(obj: object, msg: string): void };
    clock: () => number;
  },
): Promise<JudgeStores> {
  if (!config.redisUrl) {
    return {
      riskStore: createMemoryRiskStore(),
      quarantineStore: createMemoryQuarantineStore(),
      escalationStore: createMemoryEscalationStore(),
      kind: 'memory',
      health: () => ({ ok: true, detail: 'memory stores (single instance)' }),
      close: async () => {},
    };
  }
  const { logger, clock } = deps;
  const redis = connectRedis({ url: config.redisUrl, cluster: config.redisCluster });
  // Reconnect errors arrive as events on every attempt; the breaker logs the transitions once.
  redis.on('error', () => {});
  const ready = await waitRedisReady(redis, 2000);
  const prefix = config.keyPrefix ?? 'nethical:judge:';
  const availability = createStoreAvailability({
    ping: () => pingRedis(redis),
    timeoutMs: config.timeoutMs,
    probeIntervalMs: config.probeIntervalMs,
    now: clock,
    metrics: createRedisTelemetry(deps.registry, ['risk', 'quarantine', 'escalation']),
    logger,
    startDown: !ready,
  });
  const quarantineStore = createMirroredQuarantineStore(
    createRedisQuarantineStore({ redis, keyPrefix: prefix }),
    availability,
    {
      clock,
      syncIntervalMs: config.syncIntervalMs,
      onSyncError: (err) =>
        logger.warn({ err: (err as Error).message }, 'quarantine mirror sync failed; retrying'),
    },
  );
  const riskStore = createFallbackRiskStore(
    createRedisRiskStore({ redis, keyPrefix: prefix }),
    availability,
    {
      clock,
    },
  );
  const escalationStore = createFallbackEscalationStore(
    createRedisEscalationStore({ redis, keyPrefix: `${prefix}${config.regionId}:` }),
    availability,
    {
      onDropped: (e) =>
        logger.error(
          { escalationId: e.escalationId, actionId: e.actionId },
          'local escalation queue full: oldest dropped',
        ),
    },
  );
  return {
    riskStore,
    quarantineStore,
    escalationStore,
    kind: 'redis',
    availability,
    health() {
      const s = availability.status();
      if (s.up) return { ok: true, detail: s.detail };
      const q = quarantineStore.stats();
      const r = riskStore.stats();
      return {
        ok: true,
        degraded: true,
        detail: `${s.detail}; quarantines mirrored ${q.mirrored}, pending ${q.pending}; risk deltas ${r.pendingMerge}; escalations queued ${escalationStore.stats().queued}`,
      };
    },
    async close() {
      quarantineStore.close();
      availability.close();
      await closeRedis(redis);
    },
  };
}
