import type { RedisClient } from '@nethical/redis';
import {
  isActive,
  type QuarantineEntry,
  type SharedQuarantineStore,
} from '../domain/quarantine/quarantine-store.js';
import type { RedisStoreOptions } from './redis-risk-store.js';

// KEYS[1] hash, KEYS[2] version counter (same hash tag: one slot); ARGV agent id [, entry JSON].
const PUT = `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return redis.call('INCR', KEYS[2])`;
const RELEASE = `local n = redis.call('HDEL', KEYS[1], ARGV[1]) if n == 1 then redis.call('INCR', KEYS[2]) end return n`;
const SNAPSHOT = `return {redis.call('GET', KEYS[2]) or '0', redis.call('HGETALL', KEYS[1])}`;

type QuarantineClient = RedisClient & {
  nethicalQuarantinePut(
    hash: string,
    version: string,
    agentId: string,
    json: string,
  ): Promise<number>;
  nethicalQuarantineRelease(hash: string, version: string, agentId: string): Promise<number>;
  nethicalQuarantineSnapshot(hash: string, version: string): Promise<[string, string[]]>;
};

/**
 * QuarantineStore in Redis (standalone or Cluster), shared by every judge of every region: one
 * hash `<prefix>{quarantine}` (field = agent id, value = the entry as JSON) and a change counter
 * `<prefix>{quarantine}:version` in the same hash slot, bumped by every put and release in the
 * same Lua script, so a judge can poll one small key to learn that its local mirror is stale.
 * Expiry is checked on read against the injected clock (not Redis TTLs), so tests and every
 * instance agree on the same time source.
 */
export function createRedisQuarantineStore(options: RedisStoreOptions): SharedQuarantineStore {
  const hash = `${options.keyPrefix ?? 'nethical:judge:'}{quarantine}`;
  const version = `${hash}:version`;
  const redis = options.redis as QuarantineClient;
  if (typeof redis.nethicalQuarantinePut !== 'function') {
    redis.defineCommand('nethicalQuarantinePut', { numberOfKeys: 2, lua: PUT });
    redis.defineCommand('nethicalQuarantineRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('nethicalQuarantineSnapshot', { numberOfKeys: 2, lua: SNAPSHOT });
  }
  const parse = (raw: string | undefined): QuarantineEntry | null => {
    if (raw === undefined) return null;
    try {
      return JSON.parse(raw) as QuarantineEntry;
    } catch {
      return null;
    }
  };
  const active = (values: Iterable<string>, nowMs: number) =>
    [...values]
      .map(parse)
      .filter((e): e is QuarantineEntry => e !== null && isActive(e, nowMs))
      .sort((a, b) => a.sinceMs - b.sinceMs);
  return {
    async get(agentId, nowMs) {
      const raw = await redis.hget(hash, agentId);
      const entry = raw === null ? null : parse(raw);
      return entry && isActive(entry, nowMs) ? entry : null;
    },
    async put(entry) {
      await redis.nethicalQuarantinePut(hash, version, entry.agentId, JSON.stringify(entry));
    },
    async release(agentId) {
      return (await redis.nethicalQuarantineRelease(hash, version, agentId)) === 1;
    },
    async list(nowMs) {
      return active(Object.values(await redis.hgetall(hash)), nowMs);
    },
    async version() {
      return (await redis.get(version)) ?? '0';
    },
    async snapshot(nowMs) {
      const [v, flat] = await redis.nethicalQuarantineSnapshot(hash, version);
      const values: string[] = [];
      for (let i = 1; i < flat.length; i += 2) values.push(flat[i]!);
      return { version: String(v), entries: active(values, nowMs) };
    },
  };
}
