/**
 * Redis anomaly store, shared by every scorer instance. Each agent's baseline is one JSON string
 * with a PX expiry. Updates are optimistic: GET, compute in TypeScript (the detector stays in one
 * language), then a compare-and-set Lua script writes only if the value is still what was read;
 * on a lost race the step is re-run on the fresh value. So no concurrent update is lost.
 */
import type { RedisClient } from '@nethical/redis';
import { isAgentBaseline, type AgentBaseline } from '../domain/anomaly';
import { AnomalyStoreError, type AnomalyStore } from '../domain/anomaly-store';

/** Settings of the Redis store. */
export interface RedisAnomalyStoreOptions {
  /** A connected ioredis client, standalone or Cluster (one key per command); owned by the caller. */
  redis: RedisClient;
  /** Key prefix, e.g. `nethical:ml:` (tests use a unique one per run). */
  keyPrefix?: string;
  /** Expiry of an idle agent's baseline (default 24 h). */
  ttlMs?: number;
  /** Compare-and-set attempts before giving up (default 16). */
  maxAttempts?: number;
}

// KEYS[1] key; ARGV[1] expected value ('' = absent), ARGV[2] new value, ARGV[3] ttl ms.
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

type CasClient = RedisClient & {
  nethicalAnomalyCas(key: string, expected: string, next: string, ttlMs: number): Promise<number>;
};

/** Creates a Redis-backed store. */
export function createRedisAnomalyStore(options: RedisAnomalyStoreOptions): AnomalyStore {
  const prefix = options.keyPrefix ?? 'nethical:ml:';
  const ttlMs = options.ttlMs ?? 24 * 3600 * 1000;
  const maxAttempts = options.maxAttempts ?? 16;
  const redis = options.redis as CasClient;
  if (typeof redis.nethicalAnomalyCas !== 'function') {
    // defineCommand caches the script by SHA (EVALSHA, falling back to EVAL once per connection).
    redis.defineCommand('nethicalAnomalyCas', { numberOfKeys: 1, lua: COMPARE_AND_SET });
  }
  const keyOf = (agentId: string): string => `${prefix}anomaly:${agentId}`;
  /** Last queued update per key (entries removed when their queue drains: bounded by in-flight agents). */
  const tails = new Map<string, Promise<unknown>>();

  return {
    update(agentId, step) {
      // Updates of one agent from this instance run one after another: a burst of concurrent
      // actions (exactly what the detector is for) would otherwise make N local writers race
      // each other through compare-and-set. Races remain only across instances, and are retried.
      const key = keyOf(agentId);
      const previous = tails.get(key) ?? Promise.resolve();
      const run = previous.then(() => casLoop(key, step));
      const tail = run.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return run;
    },
    async ping() {
      try {
        await redis.ping();
      } catch (cause) {
        throw new AnomalyStoreError('anomaly store unreachable (PING)', { cause });
      }
    },
  };

  async function casLoop<T>(
    key: string,
    step: (prev: AgentBaseline | undefined) => { next: AgentBaseline; result: T },
  ): Promise<T> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      let raw: string | null;
      try {
        raw = await redis.get(key);
      } catch (cause) {
        throw new AnomalyStoreError('anomaly store unreachable (GET)', { cause });
      }
      const prev = parse(raw);
      const { next, result } = step(prev);
      let written: number;
      try {
        written = await redis.nethicalAnomalyCas(key, raw ?? '', JSON.stringify(next), ttlMs);
      } catch (cause) {
        throw new AnomalyStoreError('anomaly store unreachable (compare-and-set)', { cause });
      }
      if (written === 1) return result;
    }
    throw new AnomalyStoreError(
      `anomaly store: ${maxAttempts} compare-and-set conflicts for one agent`,
    );
  }
}

/** A value that is not valid JSON or not a baseline is treated as absent (fresh cold start). */
function parse(raw: string | null): AgentBaseline | undefined {
  if (raw === null || raw === '') return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return isAgentBaseline(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
