import type { RedisClient } from '@nethical/redis';
import { decayRisk, type MergeableRiskStore } from '../domain/risk/agent-risk.js';

/** Settings of the Redis stores of the judge. */
export interface RedisStoreOptions {
  /** A connected ioredis client (standalone or Cluster), owned (and closed) by the caller. */
  redis: RedisClient;
  /** Key prefix, e.g. `nethical:judge:` (tests use a unique one per run). */
  keyPrefix?: string;
}

/**
 * Decay + accumulate in one atomic step (same formula as domain/risk/agent-risk.ts):
 * decayed = r · 2^(−(now − t)/(1000·h)); current = decayed + w · a · (1 − decayed).
 * KEYS[1] hash {r, t}; ARGV now ms, half-life s, weight, action risk, ttl ms.
 * Numbers return as strings: Lua numbers would be truncated to integers on the way out.
 */
const UPDATE_RISK = `
local r = tonumber(redis.call('HGET', KEYS[1], 'r') or '0')
local t = tonumber(redis.call('HGET', KEYS[1], 't') or ARGV[1])
local now = tonumber(ARGV[1])
local dt = now - t
if dt < 0 then dt = 0 end
local decayed = r * math.pow(2, -(dt / 1000) / tonumber(ARGV[2]))
local current = decayed + tonumber(ARGV[3]) * tonumber(ARGV[4]) * (1 - decayed)
if current > 1 then current = 1 end
if current > 0 then
  redis.call('HSET', KEYS[1], 'r', string.format('%.17g', current), 't', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
return {string.format('%.17g', decayed), string.format('%.17g', current)}`;

/**
 * Merge risk accumulated elsewhere (a judge's local state during a Redis outage) as independent
 * evidence: current = 1 − (1 − decayed)(1 − decayedDelta), exact for the accumulation step and
 * within f(1−f)·r·d of a single history for decay factor f. KEYS[1]; ARGV now ms, half-life s,
 * delta risk, delta at ms, ttl ms. Returns the merged risk as a string.
 */
const MERGE_RISK = `
local r = tonumber(redis.call('HGET', KEYS[1], 'r') or '0')
local t = tonumber(redis.call('HGET', KEYS[1], 't') or ARGV[1])
local now = tonumber(ARGV[1])
local h = tonumber(ARGV[2])
local dt = now - t
if dt < 0 then dt = 0 end
local ddt = now - tonumber(ARGV[4])
if ddt < 0 then ddt = 0 end
local decayed = r * math.pow(2, -(dt / 1000) / h)
local delta = tonumber(ARGV[3]) * math.pow(2, -(ddt / 1000) / h)
local current = 1 - (1 - decayed) * (1 - delta)
if current > 1 then current = 1 end
if current > 0 then
  redis.call('HSET', KEYS[1], 'r', string.format('%.17g', current), 't', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
return string.format('%.17g', current)`;

type RiskClient = RedisClient & {
  nethicalJudgeRisk(key: string, now: number, halfLife: number, weight: number, risk: number, ttlMs: number): Promise<[string, string]>;
  nethicalJudgeRiskMerge(key: string, now: number, halfLife: number, delta: number, deltaAt: number, ttlMs: number): Promise<string>;
};

/**
 * RiskStore in Redis (standalone or Cluster: every command touches one key), shared by judge
 * instances and regions: one hash per agent, updated by one Lua script
 * (one round trip, atomic, so concurrent judgments of one agent never lose an update). Keys
 * expire after 20 half-lives, when the risk has decayed below 10⁻⁶ of its value.
 */
export function createRedisRiskStore(options: RedisStoreOptions): MergeableRiskStore {
  const prefix = options.keyPrefix ?? 'nethical:judge:';
  const redis = options.redis as RiskClient;
  if (typeof redis.nethicalJudgeRisk !== 'function') {
    redis.defineCommand('nethicalJudgeRisk', { numberOfKeys: 1, lua: UPDATE_RISK });
    redis.defineCommand('nethicalJudgeRiskMerge', { numberOfKeys: 1, lua: MERGE_RISK });
  }
  const keyOf = (agentId: string) => `${prefix}risk:${agentId}`;
  return {
    async get(agentId, nowMs, halfLifeSec) {
      const [r, t] = await redis.hmget(keyOf(agentId), 'r', 't');
      return r === null || t === null ? 0 : decayRisk(Number(r), Number(t), nowMs, halfLifeSec);
    },
    async update({ agentId, actionRisk, nowMs, halfLifeSec, weight }) {
      const ttlMs = Math.ceil(halfLifeSec * 20 * 1000);
      const [prior, current] = await redis.nethicalJudgeRisk(keyOf(agentId), nowMs, halfLifeSec, weight, actionRisk, ttlMs);
      return { prior: Number(prior), current: Number(current) };
    },
    async merge({ agentId, risk, atMs, nowMs, halfLifeSec }) {
      const ttlMs = Math.ceil(halfLifeSec * 20 * 1000);
      return Number(await redis.nethicalJudgeRiskMerge(keyOf(agentId), nowMs, halfLifeSec, risk, atMs, ttlMs));
    },
  };
}
