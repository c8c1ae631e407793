import { isActive, type QuarantineEntry, type QuarantineStore } from '../domain/quarantine/quarantine-store.js';
import type { RedisStoreOptions } from './redis-risk-store.js';

/**
 * QuarantineStore in Redis: one hash `<prefix>quarantine`, field = agent id, value = the entry
 * as JSON. One round trip per call; expiry is checked on read against the injected clock (not
 * Redis TTLs), so tests and every instance agree on the same time source.
 */
export function createRedisQuarantineStore(options: RedisStoreOptions): QuarantineStore {
  const key = `${options.keyPrefix ?? 'nethical:judge:'}quarantine`;
  const { redis } = options;
  const parse = (raw: string): QuarantineEntry | null => {
    try {
      return JSON.parse(raw) as QuarantineEntry;
    } catch {
      return null;
    }
  };
  return {
    async get(agentId, nowMs) {
      const raw = await redis.hget(key, agentId);
      const entry = raw === null ? null : parse(raw);
      return entry && isActive(entry, nowMs) ? entry : null;
    },
    async put(entry) {
      await redis.hset(key, entry.agentId, JSON.stringify(entry));
    },
    async release(agentId) {
      return (await redis.hdel(key, agentId)) === 1;
    },
    async list(nowMs) {
      const all = await redis.hgetall(key);
      return Object.values(all)
        .map(parse)
        .filter((e): e is QuarantineEntry => e !== null && isActive(e, nowMs))
        .sort((a, b) => a.sinceMs - b.sinceMs);
    },
  };
}
