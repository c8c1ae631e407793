import { Cluster, Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { QuotaConfigError } from '../domain/errors';
import {
  createFallbackQuotaStore,
  type FailureMode,
  type QuotaLogger,
} from '../domain/fallback-quota-store';
import { createMemoryQuotaStore } from '../domain/memory-quota-store';
import { createQuota, type Quota } from '../domain/quota';
import { systemClock, type Clock, type QuotaStore } from '../domain/quota-store';
import { createQuotaTelemetry } from '../telemetry';
import { loadQuotaLimits } from './limits-file';
import { createRedisQuotaStore } from './redis-quota-store';

/** Settings of the quota service (from `NETHICAL_*`; see docs/quota.md). */
export interface QuotaRuntimeConfig {
  /** `NETHICAL_REGION_ID`: the instance's region, used when a check names none. */
  regionId: string;
  /** `NETHICAL_REQUESTS_PER_SECOND`: region cap. */
  requestsPerSecond?: number | undefined;
  /** `NETHICAL_MAX_PAYLOAD_BYTES`. */
  maxPayloadBytes?: number | undefined;
  /** `NETHICAL_QUOTA_LIMITS_FILE`. */
  limitsFile: string;
  /** `NETHICAL_REDIS_URL`; in-memory limits (single instance) when unset. */
  redisUrl?: string | undefined;
  /** `NETHICAL_REDIS_CLUSTER`: treat `redisUrl` as a seed node of a Redis Cluster. */
  redisCluster?: boolean | undefined;
  /** `NETHICAL_QUOTA_FAILURE_MODE`: local (default) | open | closed. */
  failureMode?: FailureMode | undefined;
  /** `NETHICAL_QUOTA_TIMEOUT_MS`: per-check Redis deadline (default 50). */
  timeoutMs?: number | undefined;
  /** `NETHICAL_QUOTA_TRIP_AFTER_MS`: how long failures last before Redis is skipped (default 250). */
  tripAfterMs?: number | undefined;
  /** `NETHICAL_QUOTA_EXPECTED_INSTANCES`: divisor of the local share (default 1). */
  expectedInstances?: number | undefined;
  /** `NETHICAL_QUOTA_PROBE_INTERVAL_MS`: Redis probe period while down (default 1000). */
  probeIntervalMs?: number | undefined;
  /** `NETHICAL_QUOTA_REPLAY_WINDOW_SECONDS` × 1000: how long an allowed action id is remembered. */
  replayWindowMs?: number | undefined;
  /** Key prefix (default `nethical:quota:`). */
  keyPrefix?: string | undefined;
}

/**
 * Composition of the quota domain for `apps/quota/src/main.ts`: limits file → telemetry →
 * Redis client (standalone or cluster) → Redis store behind the fallback store → `createQuota`,
 * with `nethical_active_agents` bound to the store. Closing the quota closes the client.
 */
export async function createQuotaRuntime(
  config: QuotaRuntimeConfig,
  deps: { registry: Registry; logger?: QuotaLogger; clock?: Clock },
): Promise<Quota> {
  const clock = deps.clock ?? systemClock;
  const limits = await loadQuotaLimits(config.limitsFile);
  const telemetry = createQuotaTelemetry(deps.registry);
  const activeWindowMs = limits.activeWindowSeconds * 1000;
  const local = createMemoryQuotaStore(clock, { activeWindowMs });
  let store: QuotaStore = local;
  if (config.redisUrl) {
    const redis = connectRedis(config.redisUrl, config.redisCluster === true);
    // ioredis emits reconnect errors as events; the fallback store already counts and logs them.
    redis.on('error', () => {});
    await waitReady(redis, 2000);
    const primary = createRedisQuotaStore(redis, {
      prefix: config.keyPrefix,
      activeWindowMs,
      clock,
    });
    store = createFallbackQuotaStore(primary, local, {
      mode: config.failureMode ?? 'local',
      timeoutMs: config.timeoutMs,
      tripAfterMs: config.tripAfterMs,
      probeIntervalMs: config.probeIntervalMs,
      expectedInstances: config.expectedInstances,
      clock,
      metrics: telemetry,
      logger: deps.logger,
    });
  }
  const quota = createQuota({
    store,
    limits,
    regionRps: config.requestsPerSecond,
    regionId: config.regionId,
    maxPayloadBytes: config.maxPayloadBytes,
    metrics: telemetry,
    replayWindowMs: config.replayWindowMs,
  });
  telemetry.bindActiveAgents(() => quota.activeAgents());
  return quota;
}

/**
 * A client that fails fast while disconnected (no offline queue, one retry), so an outage
 * costs one check's timeout, not a queue of them. A cluster only has database 0, so a
 * "database per region" URL is rejected: regions are separated by the key's hash tag instead.
 */
function connectRedis(url: string, cluster: boolean): Redis | Cluster {
  // Auto-pipelining: the checks of one event-loop turn (one read of the gateway's HTTP/2
  // connection often carries several) go to Redis in one write instead of one each.
  if (!cluster) return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && db !== '0') {
    throw new QuotaConfigError([
      `NETHICAL_REDIS_URL: Redis Cluster has only database 0 (got /${db}); regions are kept apart by key hash tags`,
    ]);
  }
  return new Cluster([{ host: parsed.hostname, port: Number(parsed.port || 6379) }], {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    redisOptions: {
      maxRetriesPerRequest: 1,
      username: parsed.username || undefined,
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    },
  });
}

/** Wait for the first connection so boot does not start in fallback; give up quietly after `ms`. */
function waitReady(redis: Redis | Cluster, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
