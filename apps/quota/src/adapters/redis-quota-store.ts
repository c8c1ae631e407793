import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { QuotaStoreError } from '../domain/errors';
import type {
  Clock,
  ConsumeRequest,
  ConsumeResult,
  LimitOutcome,
  QuotaHealth,
  QuotaStore,
} from '../domain/quota-store';
import { chargedLimits, systemClock } from '../domain/quota-store';
import { GCRA_REFUND_SCRIPT, GCRA_SCRIPT } from './gcra-script';

/** Options of `createRedisQuotaStore`. */
export interface RedisQuotaStoreOptions {
  /** Key prefix, without `{`/`}` (default `nethical:quota:`); tests use one per run. */
  prefix?: string;
  /** Active-agents window, ms (default 5 min). */
  activeWindowMs?: number;
  /** Width of one HyperLogLog bucket, ms (default 1 min). */
  activeBucketMs?: number;
  /** Clock used only to name HyperLogLog buckets (GCRA uses Redis `TIME`). */
  clock?: Clock;
  /** Quit the client on `close()` (default true: the store owns it). */
  quitOnClose?: boolean;
}

type ScriptCommand = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

/**
 * A Lua script with a variable number of keys, sent as EVALSHA (EVAL once when the server does
 * not have it yet). Not ioredis `defineCommand`: with a variable key count its first argument is
 * the count, and ioredis' cluster auto-pipelining groups a custom command by its first argument,
 * so scripts for keys on different masters shared one pipeline and all failed ("All keys in
 * the pipeline should belong to the same slots allocation group", redis/ioredis#2109). EVALSHA
 * is a known command, whose first key ioredis finds.
 */
function scriptCommand(redis: Redis | Cluster, lua: string): ScriptCommand {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (numKeys, ...args) => {
    try {
      return await redis.evalsha(sha, numKeys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(lua, numKeys, ...args);
    }
  };
}

/**
 * GCRA limits in Redis standalone or Redis Cluster. Key layout (docs/quota.md):
 * `<prefix>{<scope>}:<limit key>`, `…:seen:<bucket>`, `…:x:<action id>` — every key of one
 * request carries the same `{scope}` hash tag, so each call is one EVALSHA on one cluster
 * master: atomic and exact. The quota domain makes two calls per check (`domain/quota.ts`):
 * one in the tenant's scope (agent, tenant, replay marker) and one in the region's (region
 * limit, active agents), so a tenant's traffic lands on one master and a region's cap on one.
 *
 * Create the client with `enableOfflineQueue: false` and a small `maxRetriesPerRequest`, so a
 * lost connection fails fast instead of queueing behind the fallback store's timeout.
 */
export function createRedisQuotaStore(
  redis: Redis | Cluster,
  options: RedisQuotaStoreOptions = {},
): QuotaStore {
  const prefix = options.prefix ?? 'nethical:quota:';
  if (/[{}]/.test(prefix)) throw new Error('quota key prefix must not contain { or }');
  const activeWindowMs = options.activeWindowMs ?? 300_000;
  const bucketMs = options.activeBucketMs ?? 60_000;
  const clock = options.clock ?? systemClock;
  const bucketTtlMs = activeWindowMs + 2 * bucketMs;
  const gcra = scriptCommand(redis, GCRA_SCRIPT);
  const refundScript = scriptCommand(redis, GCRA_REFUND_SCRIPT);
  const tag = (scope: string) => `${prefix}{${encodeURIComponent(scope)}}:`;

  async function ping(): Promise<void> {
    try {
      if (redis.isCluster) {
        // A reachable node is not enough: every slot must be served again after a failover.
        const info = await (redis as Cluster).cluster('INFO');
        if (!String(info).includes('cluster_state:ok')) throw new Error('cluster_state not ok');
      } else {
        await redis.ping();
      }
    } catch (error) {
      throw new QuotaStoreError('redis ping failed', 'error', { cause: error });
    }
  }

  return {
    name: 'redis',
    async consume(request: ConsumeRequest): Promise<ConsumeResult> {
      const base = tag(request.scope);
      const keys = request.limits.map((limit) => base + limit.key);
      const member = request.activeMember ?? '';
      if (member) keys.push(`${base}seen:${Math.floor(clock.now() / bucketMs)}`);
      const args: (string | number)[] = [request.cost, request.limits.length, member, bucketTtlMs];
      for (const limit of request.limits) {
        const interval = 1_000_000 / limit.rate;
        args.push(interval, interval * limit.burst, limit.shadow ? 1 : 0);
      }
      if (request.replay) {
        keys.push(`${base}x:${request.replay.key}`);
        args.push(Math.max(1, Math.round(request.replay.windowMs)));
      } else {
        args.push('');
      }
      let reply: unknown;
      try {
        reply = await gcra(keys.length, ...keys, ...args);
      } catch (error) {
        throw new QuotaStoreError('redis quota script failed', 'error', { cause: error });
      }
      return parseReply(reply, request);
    },
    async refund(request: ConsumeRequest, charged: ConsumeResult): Promise<void> {
      const indexes = chargedLimits(request, charged);
      if (indexes.length === 0) return;
      const base = tag(request.scope);
      const keys: string[] = [];
      const intervals: number[] = [];
      for (const i of indexes) {
        const limit = request.limits[i] as ConsumeRequest['limits'][number];
        keys.push(base + limit.key);
        intervals.push(1_000_000 / limit.rate);
      }
      if (request.replay) keys.push(`${base}x:${request.replay.key}`);
      try {
        await refundScript(keys.length, ...keys, request.cost, indexes.length, ...intervals);
      } catch (error) {
        throw new QuotaStoreError('redis quota refund failed', 'error', { cause: error });
      }
    },
    async activeAgents(scope: string): Promise<number> {
      const base = tag(scope);
      const now = clock.now();
      const keys: string[] = [];
      for (let b = Math.floor((now - activeWindowMs) / bucketMs); b <= now / bucketMs; b++) {
        keys.push(`${base}seen:${b}`);
      }
      try {
        // One PFCOUNT over all buckets returns the size of their union (same slot: one node).
        return await redis.pfcount(...(keys as [string, ...string[]]));
      } catch (error) {
        throw new QuotaStoreError('redis PFCOUNT failed', 'error', { cause: error });
      }
    },
    ping,
    async health(): Promise<QuotaHealth> {
      try {
        await ping();
        return { redis: { ok: true } };
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        return { redis: { ok: false, detail: cause instanceof Error ? cause.message : 'down' } };
      }
    },
    async close(): Promise<void> {
      if (options.quitOnClose === false) return;
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}

function parseReply(reply: unknown, request: ConsumeRequest): ConsumeResult {
  if (!Array.isArray(reply) || reply.length !== 2 + 4 * request.limits.length) {
    throw new QuotaStoreError('unexpected reply from the quota script', 'error');
  }
  const nums = reply.map(Number);
  const outcomes: LimitOutcome[] = request.limits.map((limit, i) => {
    const j = 1 + 4 * i;
    return {
      name: limit.name,
      allowed: nums[j] === 1,
      remaining: nums[j + 1] ?? 0,
      retryAfterMs: (nums[j + 2] ?? 0) / 1000,
      resetAfterMs: (nums[j + 3] ?? 0) / 1000,
    };
  });
  return { allowed: nums[0] === 1, outcomes, store: 'redis', replay: nums[1 + 4 * request.limits.length] === 1 };
}
