import { randomUUID } from 'node:crypto';
import { integrationMandatory, testRedisUrl } from '@nethical/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisEscalationStore } from '../src/adapters/redis-escalation-store.js';
import { createRedisQuarantineStore } from '../src/adapters/redis-quarantine-store.js';
import { createRedisRiskStore } from '../src/adapters/redis-risk-store.js';
import { EscalationNotFoundError, EscalationStateError } from '../src/domain/errors.js';
import { createMemoryEscalationStore, type Escalation, type EscalationStore } from '../src/domain/escalation/escalation-store.js';
import { createMemoryQuarantineStore, type QuarantineStore } from '../src/domain/quarantine/quarantine-store.js';
import { createMemoryRiskStore, decayRisk, type RiskStore } from '../src/domain/risk/agent-risk.js';
import { action, makeJudge } from './helpers.js';

/** One contract, run against the in-memory stores and real Redis (unique key prefix per run). */
interface Stores {
  risk: RiskStore;
  quarantine: QuarantineStore;
  escalation: EscalationStore;
}

const escalation = (id: string, createdAtMs: number): Escalation => ({
  escalationId: id,
  actionId: `act-${id}`,
  agentId: 'agent-1',
  tenantId: 't',
  findings: [{ detector: 'model-abuse', category: 'model_extraction', severity: 'HIGH', confidence: 0.55, spans: [{ start: 0, end: 3 }], reason: 'r', ethicalDimensions: [] }],
  redactedContent: 'x',
  status: 'PENDING',
  createdAtMs,
  resolvedAtMs: null,
  resolvedBy: null,
  note: null,
});

function contract(name: string, make: () => Stores | Promise<Stores>, skip: () => boolean) {
  describe(`store contract: ${name}`, () => {
    let s: Stores;
    beforeAll(async () => {
      if (!skip()) s = await make();
    });
    it('risk: decays, accumulates and is atomic under concurrency', async ({ skip: skipTest }) => {
      if (skip()) return skipTest();
      const h = 60;
      const a = await s.risk.update({ agentId: 'r1', actionRisk: 0.8, nowMs: 1_000, halfLifeSec: h, weight: 0.5 });
      expect(a.prior).toBe(0);
      expect(a.current).toBeCloseTo(0.4, 10);
      expect(await s.risk.get('r1', 61_000, h)).toBeCloseTo(0.2, 10);
      const b = await s.risk.update({ agentId: 'r1', actionRisk: 0, nowMs: 61_000, halfLifeSec: h, weight: 0.5 });
      expect(b.prior).toBeCloseTo(0.2, 10);
      expect(await s.risk.get('unknown', 0, h)).toBe(0);
      await Promise.all(Array.from({ length: 20 }, () => s.risk.update({ agentId: 'r2', actionRisk: 1, nowMs: 5_000, halfLifeSec: h, weight: 0.1 })));
      expect(await s.risk.get('r2', 5_000, h)).toBeCloseTo(1 - 0.9 ** 20, 10);
      expect(decayRisk(1, 0, 0, h)).toBe(1);
    });
    it('quarantine: put, get, expiry, list, release', async ({ skip: skipTest }) => {
      if (skip()) return skipTest();
      await s.quarantine.put({ agentId: 'q1', reason: 'r', sinceMs: 0, untilMs: 10_000, source: 'auto' });
      await s.quarantine.put({ agentId: 'q2', reason: 'r', sinceMs: 5, untilMs: null, source: 'operator' });
      expect(await s.quarantine.get('q1', 9_999)).toMatchObject({ agentId: 'q1', source: 'auto' });
      expect(await s.quarantine.get('q1', 10_000)).toBeNull();
      expect((await s.quarantine.list(5_000)).map((e) => e.agentId)).toEqual(['q1', 'q2']);
      expect((await s.quarantine.list(20_000)).map((e) => e.agentId)).toEqual(['q2']);
      expect(await s.quarantine.release('q2')).toBe(true);
      expect(await s.quarantine.release('q2')).toBe(false);
      expect(await s.quarantine.get('q2', 0)).toBeNull();
    });
    it('escalation: create, list by status, resolve exactly once', async ({ skip: skipTest }) => {
      if (skip()) return skipTest();
      await s.escalation.create(escalation('e1', 1));
      await s.escalation.create(escalation('e2', 2));
      expect((await s.escalation.list()).map((e) => e.escalationId)).toEqual(['e2', 'e1']);
      expect(await s.escalation.get('e1')).toEqual(escalation('e1', 1));
      const results = await Promise.allSettled([
        s.escalation.resolve('e1', { status: 'APPROVED', by: 'a', note: 'ok', nowMs: 10 }),
        s.escalation.resolve('e1', { status: 'REJECTED', by: 'b', note: 'no', nowMs: 11 }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(EscalationStateError) });
      expect((await s.escalation.list('PENDING')).map((e) => e.escalationId)).toEqual(['e2']);
      const done = await s.escalation.get('e1');
      expect(done?.status === 'APPROVED' || done?.status === 'REJECTED').toBe(true);
      expect(done?.resolvedAtMs).toBeGreaterThan(0);
      await expect(s.escalation.resolve('nope', { status: 'APPROVED', by: 'a', note: '', nowMs: 1 })).rejects.toThrow(EscalationNotFoundError);
    });
  });
}

contract('memory', () => ({ risk: createMemoryRiskStore(), quarantine: createMemoryQuarantineStore(), escalation: createMemoryEscalationStore() }), () => false);

let redis: Redis | undefined;
let redisUp = false;
const prefix = `nethical-test:judge:${randomUUID()}:`;
beforeAll(async () => {
  redis = new Redis(testRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await redis.connect();
    await redis.ping();
    redisUp = true;
  } catch (err) {
    if (integrationMandatory) throw err;
  }
});
afterAll(async () => {
  if (redis && redisUp) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis?.disconnect();
});

contract(
  'redis',
  () => ({
    risk: createRedisRiskStore({ redis: redis!, keyPrefix: prefix }),
    quarantine: createRedisQuarantineStore({ redis: redis!, keyPrefix: prefix }),
    escalation: createRedisEscalationStore({ redis: redis!, keyPrefix: prefix }),
  }),
  () => !redisUp,
);

describe('judge over Redis stores (shared between two judge instances)', () => {
  it('a quarantine set through one instance is enforced by the other', async ({ skip }) => {
    if (!redisUp) return skip();
    const p = `${prefix}shared:`;
    const mk = () =>
      makeJudge({
        riskStore: createRedisRiskStore({ redis: redis!, keyPrefix: p }),
        quarantineStore: createRedisQuarantineStore({ redis: redis!, keyPrefix: p }),
        escalationStore: createRedisEscalationStore({ redis: redis!, keyPrefix: p }),
      });
    const a = await mk();
    const b = await mk();
    await a.judge.quarantine('agent-shared', 'operator order', 600);
    expect((await b.judge.judge(action('hello', 'message', 'agent-shared'))).decision).toBe('QUARANTINE');
    expect(await b.judge.release('agent-shared')).toBe(true);
    expect((await a.judge.judge(action('hello', 'message', 'agent-shared'))).decision).toBe('ALLOW');
  });
});
