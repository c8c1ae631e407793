import { describe, expect, it } from 'vitest';
import {
  PayloadTooLargeError,
  QuotaCostTooLargeError,
  QuotaRequestError,
} from '../src/domain/errors';
import { parseQuotaLimits } from '../src/domain/limits-config';
import { createMemoryQuotaStore } from '../src/domain/memory-quota-store';
import { createQuota, resolveRegionLimit, type QuotaMetrics } from '../src/domain/quota';
import { createManualClock } from './manual-clock';

const limits = parseQuotaLimits({
  version: 1,
  costUnitBytes: 1000,
  maxPayloadBytes: 10_000,
  defaults: {
    agent: { rate: 1, burst: 3 },
    tenant: { rate: 10, burst: 5 },
    region: { rate: 100, burst: 100 },
  },
  tenants: { shadowed: { rate: 1, burst: 1, shadow: true } },
  agents: { vip: { rate: 10, burst: 20 } },
});

function setup(regionRps?: number) {
  const clock = createManualClock();
  const events: string[] = [];
  const metrics: QuotaMetrics = {
    checkDone: (result, store) => events.push(`${result}:${store}`),
    shadowDenied: (limit) => events.push(`shadow:${limit}`),
  };
  const quota = createQuota({
    store: createMemoryQuotaStore(clock),
    limits,
    regionRps,
    regionId: 'us-east-1',
    metrics,
  });
  return { clock, quota, events };
}

describe('createQuota', () => {
  it('denies on the agent limit with retry info, then allows after the retry time', async () => {
    const { quota, clock, events } = setup();
    const check = () => quota.check({ agentId: 'a1', tenantId: 't1' });
    for (const remaining of [2, 1, 0]) {
      const d = await check();
      expect(d).toMatchObject({ allowed: true, limitName: 'agent', limit: 3, remaining });
    }
    const denied = await check();
    expect(denied).toMatchObject({ allowed: false, limitName: 'agent', limit: 3, remaining: 0 });
    expect(denied.retryAfterSeconds).toBeCloseTo(1, 6);
    expect(denied.resetAfterSeconds).toBeCloseTo(3, 6);
    expect(denied.windowSeconds).toBe(3);
    clock.advance(1000);
    expect((await check()).allowed).toBe(true);
    expect(events).toEqual([
      'allowed:memory',
      'allowed:memory',
      'allowed:memory',
      'denied:memory',
      'allowed:memory',
    ]);
  });

  it('keeps agents of the same id in different tenants apart but shares the tenant limit', async () => {
    const { quota } = setup();
    for (let i = 0; i < 5; i++) {
      expect((await quota.check({ agentId: `agent-${i}`, tenantId: 't2' })).allowed).toBe(true);
    }
    const denied = await quota.check({ agentId: 'agent-9', tenantId: 't2' });
    expect(denied).toMatchObject({ allowed: false, limitName: 'tenant', limit: 5 });
    expect((await quota.check({ agentId: 'agent-9', tenantId: 't3' })).allowed).toBe(true);
  });

  it('applies per-agent overrides', async () => {
    const { quota } = setup();
    const d = await quota.check({ agentId: 'vip', tenantId: 't1' });
    expect(d).toMatchObject({ allowed: true, limitName: 'tenant', remaining: 4 });
  });

  it('lets the region burst follow NETHICAL_REQUESTS_PER_SECOND unless the file keeps it', () => {
    const file = { rate: 200, burst: 400, shadow: false };
    // Lowering the cap to 20/s lowers the burst with it (2 s of burst, as in the file) ...
    expect(resolveRegionLimit(file, 20)).toEqual({ rate: 20, burst: 40, shadow: false });
    expect(resolveRegionLimit(file, 0.3)).toEqual({ rate: 0.3, burst: 1, shadow: false });
    // ... unless the file says its burst is absolute.
    expect(resolveRegionLimit({ ...file, keepBurst: true }, 20)).toEqual({ rate: 20, burst: 400, shadow: false });
    expect(resolveRegionLimit(undefined, 2.5)).toEqual({ rate: 2.5, burst: 3, shadow: false });
    expect(resolveRegionLimit(file, undefined)).toBe(file);
    expect(parseQuotaLimits({ version: 1, defaults: { region: { rate: 1, burst: 2, keepBurst: true } } }).defaults.region?.keepBurst).toBe(true);
  });

  it('caps the region at NETHICAL_REQUESTS_PER_SECOND across tenants', async () => {
    const clock = createManualClock();
    const quota = createQuota({
      store: createMemoryQuotaStore(clock),
      limits: parseQuotaLimits({ version: 1 }),
      regionRps: 2.5,
      regionId: 'ap-south-1',
    });
    for (let i = 0; i < 3; i++) {
      const d = await quota.check({ agentId: `a${i}`, tenantId: `t${i}` });
      expect(d).toMatchObject({ allowed: true, limitName: 'region', limit: 3 });
    }
    const denied = await quota.check({ agentId: 'a9', tenantId: 't9' });
    expect(denied).toMatchObject({ allowed: false, limitName: 'region' });
    expect(denied.retryAfterSeconds).toBeCloseTo(0.4, 6);
    // Another region has its own cap.
    expect(
      (await quota.check({ agentId: 'a9', tenantId: 't9', regionId: 'us-east-1' })).allowed,
    ).toBe(true);
  });

  it('reports shadow limits without denying', async () => {
    const { quota, events } = setup();
    expect((await quota.check({ agentId: 'a', tenantId: 'shadowed' })).shadowDenied).toEqual([]);
    const d = await quota.check({ agentId: 'a', tenantId: 'shadowed' });
    expect(d).toMatchObject({ allowed: true, shadowDenied: ['tenant'], limitName: 'agent' });
    expect(events).toContain('shadow:tenant');
  });

  it('weights cost by payload size and rejects oversized payloads', async () => {
    const { quota } = setup();
    const d = await quota.check({ agentId: 'big', tenantId: 't1', payloadBytes: 1999 });
    expect(d).toMatchObject({ cost: 2, remaining: 1 });
    await expect(
      quota.check({ agentId: 'big', tenantId: 't1', payloadBytes: 10_001 }),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(quota.check({ agentId: 'big', tenantId: 't1', cost: 4 })).rejects.toBeInstanceOf(
      QuotaCostTooLargeError,
    );
    await expect(quota.check({ agentId: '', tenantId: 't1' })).rejects.toBeInstanceOf(
      QuotaRequestError,
    );
  });

  it('counts active agents in the instance region', async () => {
    const { quota } = setup();
    await quota.check({ agentId: 'x', tenantId: 't1' });
    await quota.check({ agentId: 'y', tenantId: 't1' });
    await quota.check({ agentId: 'x', tenantId: 't1' });
    await quota.check({ agentId: 'z', tenantId: 't1', regionId: 'ap-south-1' });
    expect(await quota.activeAgents()).toBe(2);
    expect(await quota.activeAgents('ap-south-1')).toBe(1);
  });

  it('charges an action id once within the replay window and flags its retries', async () => {
    const { clock, quota } = setup();
    const check = (actionId?: string) => quota.check({ agentId: 'replayer', tenantId: 'acme', payloadBytes: 10, actionId });
    expect(await check('id-1')).toMatchObject({ allowed: true, replay: false, remaining: 2 });
    expect(await check('id-1')).toMatchObject({ allowed: true, replay: true });
    expect(await check('id-2')).toMatchObject({ allowed: true, replay: false, remaining: 1 });
    // No id: never a replay.
    expect(await check()).toMatchObject({ allowed: true, replay: false, remaining: 0 });
    clock.advance(600_001);
    expect((await check('id-1')).replay).toBe(false);
  });

  describe('two regions sharing one store (a failover)', () => {
    function twoRegions(regionRps?: number) {
      const clock = createManualClock();
      const store = createMemoryQuotaStore(clock);
      const make = (regionId: string) => createQuota({ store, limits, regionRps, regionId });
      return { clock, store, east: make('us-east-1'), west: make('eu-west-1') };
    }

    it('keeps an agent\'s buckets when it moves to another region: no reset', async () => {
      const { east, west } = twoRegions();
      for (let i = 0; i < 3; i++) {
        expect((await east.check({ agentId: 'mover', tenantId: 't1' })).allowed).toBe(true);
      }
      const there = await west.check({ agentId: 'mover', tenantId: 't1' });
      expect(there).toMatchObject({ allowed: false, limitName: 'agent' });
    });

    it('does not charge an action id twice when it is retried in another region', async () => {
      const { east, west } = twoRegions();
      const check = (q: typeof east, actionId: string) =>
        q.check({ agentId: 'retrier', tenantId: 't1', actionId });
      expect(await check(east, 'act-1')).toMatchObject({ replay: false, remaining: 2 });
      expect(await check(west, 'act-1')).toMatchObject({ allowed: true, replay: true });
      expect(await check(west, 'act-2')).toMatchObject({ replay: false, remaining: 1 });
    });

    it('keeps region caps per region, and gives the caller its units back when the region denies', async () => {
      const { store } = twoRegions();
      const east = createQuota({ store, limits, regionRps: 1, regionId: 'us-east-1' });
      const west = createQuota({ store, limits, regionId: 'eu-west-1' });
      // us-east-1's region burst is 1: the first check fills it.
      expect((await east.check({ agentId: 'a1', tenantId: 't1' })).allowed).toBe(true);
      for (let i = 0; i < 2; i++) {
        const denied = await east.check({ agentId: 'a2', tenantId: 't1' });
        expect(denied).toMatchObject({ allowed: false, limitName: 'region' });
      }
      // Neither denial charged a2 or t1: in eu-west-1 (its own region cap of 100) a2 has spent 1
      // of 3, and the tenant 2 of 5 (a1 and this one), so the tightest limit is the agent's.
      const elsewhere = await west.check({ agentId: 'a2', tenantId: 't1' });
      expect(elsewhere).toMatchObject({ allowed: true, limitName: 'agent', remaining: 2 });
    });

    it('does not charge the region for a replay or for an agent over its limit', async () => {
      const { east } = twoRegions(3);
      const check = (agentId: string, actionId?: string) =>
        east.check({ agentId, tenantId: 't1', actionId });
      expect((await check('r1', 'once')).allowed).toBe(true);
      expect((await check('r1', 'once')).replay).toBe(true);
      expect((await check('r1', 'once')).replay).toBe(true);
      // Region burst 3, one unit spent: two more agents fit.
      expect((await check('r2')).allowed).toBe(true);
      expect((await check('r3')).allowed).toBe(true);
      expect(await check('r4')).toMatchObject({ allowed: false, limitName: 'region' });
    });

    it('keeps a region whose id looks like a tenant scope apart from that tenant', async () => {
      const { store } = twoRegions();
      const odd = createQuota({ store, limits, regionRps: 1, regionId: 'tenant=t1' });
      // The odd region's cap (burst 1) is its own: tenant t1's buckets do not fill it.
      expect((await odd.check({ agentId: 'a', tenantId: 't1' })).allowed).toBe(true);
      expect(await odd.check({ agentId: 'b', tenantId: 't9' })).toMatchObject({
        allowed: false,
        limitName: 'region',
      });
      // Both agents were seen there (a denied agent is active too), and only there.
      expect(await odd.activeAgents()).toBe(2);
      expect(await odd.activeAgents('us-east-1')).toBe(0);
    });
  });
});
