import type { RedisClient } from '@nethical/redis';
import { EscalationNotFoundError, EscalationStateError } from '../domain/errors.js';
import type { Escalation, EscalationStore } from '../domain/escalation/escalation-store.js';
import type { RedisStoreOptions } from './redis-risk-store.js';

/**
 * Resolve atomically: only a PENDING escalation changes, once.
 * KEYS[1] hash; ARGV id, status, by, note, now ms. Returns the new JSON, or 'NOTFOUND' / 'STATE:<status>'.
 */
const RESOLVE = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 'NOTFOUND' end
local e = cjson.decode(raw)
if e.status ~= 'PENDING' then return 'STATE:' .. e.status end
e.status = ARGV[2]
e.resolvedBy = ARGV[3]
e.note = ARGV[4]
e.resolvedAtMs = tonumber(ARGV[5])
local out = cjson.encode(e)
redis.call('HSET', KEYS[1], ARGV[1], out)
return out`;

type ResolveClient = RedisClient & {
  nethicalJudgeResolve(key: string, id: string, status: string, by: string, note: string, now: number): Promise<string>;
};

/**
 * EscalationStore in Redis (the review queue shared by judge instances; standalone or Cluster,
 * every command touches one key): one hash `<prefix>escalations`, field = escalation id, value = JSON. Resolution is a Lua script, so two
 * reviewers racing on one escalation cannot both win.
 */
export function createRedisEscalationStore(options: RedisStoreOptions): EscalationStore {
  const key = `${options.keyPrefix ?? 'nethical:judge:'}escalations`;
  const redis = options.redis as ResolveClient;
  if (typeof redis.nethicalJudgeResolve !== 'function') {
    redis.defineCommand('nethicalJudgeResolve', { numberOfKeys: 1, lua: RESOLVE });
  }
  // cjson turns empty arrays into {}; normalise on the way back.
  const parse = (raw: string): Escalation => {
    const e = JSON.parse(raw) as Escalation;
    const findings = Array.isArray(e.findings) ? e.findings : [];
    return {
      ...e,
      findings: findings.map((f) => ({
        ...f,
        spans: Array.isArray(f.spans) ? f.spans : [],
        ethicalDimensions: Array.isArray(f.ethicalDimensions) ? f.ethicalDimensions : [],
      })),
      resolvedAtMs: e.resolvedAtMs ?? null,
      resolvedBy: e.resolvedBy ?? null,
      note: e.note ?? null,
    };
  };
  return {
    async create(e) {
      await redis.hset(key, e.escalationId, JSON.stringify(e));
    },
    async get(id) {
      const raw = await redis.hget(key, id);
      return raw === null ? null : parse(raw);
    },
    async list(status) {
      const all = await redis.hgetall(key);
      return Object.values(all)
        .map(parse)
        .filter((e) => status === undefined || e.status === status)
        .sort((a, b) => b.createdAtMs - a.createdAtMs);
    },
    async resolve(id, r) {
      const out = await redis.nethicalJudgeResolve(key, id, r.status, r.by, r.note, r.nowMs);
      if (out === 'NOTFOUND') throw new EscalationNotFoundError(id);
      if (out.startsWith('STATE:')) throw new EscalationStateError(`escalation ${id} is already ${out.slice(6)}`);
      return parse(out);
    },
  };
}
