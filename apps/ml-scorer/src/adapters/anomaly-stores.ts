import {
  closeRedis,
  connectRedis,
  createRedisTelemetry,
  createStoreAvailability,
  pingRedis,
  waitRedisReady,
  type AvailabilityLogger,
} from '@nethical/redis';
import type { Registry } from 'prom-client';
import type { AnomalyStore } from '../domain/anomaly-store';
import type { Clock } from '../domain/clock';
import { createFallbackAnomalyStore } from './fallback-anomaly-store';
import { createMemoryAnomalyStore } from './memory-anomaly-store';
import { createRedisAnomalyStore } from './redis-anomaly-store';

/** Settings of the scorer's anomaly baselines. */
export interface AnomalyStoresConfig {
  /** `NETHICAL_REDIS_URL`; memory only when unset. */
  redisUrl?: string | undefined;
  /** `NETHICAL_REDIS_CLUSTER`. */
  redisCluster?: boolean;
  /** `NETHICAL_ENABLE_ANOMALY_DETECTION`: off → a small memory store nobody reads, no Redis. */
  enabled: boolean;
  /** Deadline of one Redis update before local baselines answer, ms (default 100). */
  timeoutMs?: number;
  /** Redis probe period while down, ms (default 500). */
  probeIntervalMs?: number;
  /** Key prefix (default `nethical:ml:`; tests use their own). */
  keyPrefix?: string;
}

/** The anomaly store, a health probe and a close. */
export interface AnomalyStores {
  store: AnomalyStore;
  kind: 'redis' | 'memory';
  health(): { ok: boolean; degraded?: boolean; detail: string };
  close(): Promise<void>;
}

/**
 * The scorer's baselines: memory alone, or Redis (standalone or Cluster; key
 * `<prefix>anomaly:<agent>`, shared by every region so a baseline follows its agent through a
 * failover) behind a breaker with the memory store as fallback (`fallback-anomaly-store.ts`).
 */
export async function createAnomalyStores(
  config: AnomalyStoresConfig,
  deps: { registry: Registry; logger: AvailabilityLogger; clock: Clock },
): Promise<AnomalyStores> {
  const local = createMemoryAnomalyStore({
    clock: deps.clock,
    maxAgents: config.enabled ? 50_000 : 1000,
  });
  if (!config.redisUrl || !config.enabled) {
    return {
      store: local,
      kind: 'memory',
      health: () => ({ ok: true, detail: 'memory baselines (this instance)' }),
      close: async () => {},
    };
  }
  const redis = connectRedis({ url: config.redisUrl, cluster: config.redisCluster });
  redis.on('error', () => {});
  const ready = await waitRedisReady(redis, 2000);
  const availability = createStoreAvailability({
    ping: () => pingRedis(redis),
    timeoutMs: config.timeoutMs,
    probeIntervalMs: config.probeIntervalMs,
    now: () => deps.clock.now(),
    metrics: createRedisTelemetry(deps.registry, ['anomaly']),
    logger: deps.logger,
    startDown: !ready,
  });
  const store = createFallbackAnomalyStore(
    createRedisAnomalyStore({ redis, keyPrefix: config.keyPrefix ?? 'nethical:ml:' }),
    local,
    availability,
  );
  return {
    store,
    kind: 'redis',
    health() {
      const s = availability.status();
      if (s.up) return { ok: true, detail: s.detail };
      const st = store.stats();
      return {
        ok: true,
        degraded: true,
        detail: `${s.detail}; local baselines ${st.local}, to write back ${st.pendingWriteBack}`,
      };
    },
    async close() {
      availability.close();
      await closeRedis(redis);
    },
  };
}
