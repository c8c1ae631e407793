import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startRedisCluster,
  type RedisClusterHandle,
} from '@nethical/testing';
import { createRedisQuotaStore } from '../src/adapters/redis-quota-store';
import { createFallbackQuotaStore } from '../src/domain/fallback-quota-store';
import { parseQuotaLimits } from '../src/domain/limits-config';
import { createMemoryQuotaStore } from '../src/domain/memory-quota-store';
import { createQuota } from '../src/domain/quota';
import { systemClock, type QuotaStore } from '../src/domain/quota-store';
import { expectExact, hammer } from './exactness';
import { describeQuotaStoreContract, type ContractSubject } from './quota-store-contract';
import { sleep } from './redis-support';

/**
 * The same contract, exactness and a master failover against a real 3-master / 3-replica
 * Redis Cluster started from `redis-server` on free loopback ports (mandatory in CI: the
 * harness fails rather than skips when the binaries are missing).
 */
let cluster: RedisClusterHandle;
const clients: Cluster[] = [];
const prefix = 'nethical-test:quota:';

async function connectCluster(): Promise<Cluster> {
  // The runtime's options (quota-runtime.ts): auto-pipelining once sent every script of a turn
  // down one pipeline whatever its slot, which only a pipelining client shows.
  const client = new Cluster([...cluster.startupNodes], {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    redisOptions: { maxRetriesPerRequest: 1 },
  });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  });
  return client;
}

const clusterStore = async (): Promise<QuotaStore> =>
  createRedisQuotaStore(await connectCluster(), { prefix, quitOnClose: false });

beforeAll(async () => {
  cluster = await startRedisCluster();
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await cluster?.stop();
});

describeQuotaStoreContract('redis cluster', async (): Promise<ContractSubject> => ({
  store: await clusterStore(),
  advance: sleep,
  scope: 'eu-test-1',
}));

describe('redis cluster', () => {
  it('keeps a limit exact across 6 instances', async () => {
    const stores = await Promise.all(Array.from({ length: 6 }, clusterStore));
    const limit = {
      name: 'agent',
      key: `a:t:${randomUUID()}`,
      rate: 100,
      burst: 50,
      shadow: false,
    };
    const result = await hammer(stores, 'exact-cluster', limit, (elapsed) => elapsed >= 3000);
    expectExact(result, limit);
  });

  it('survives SIGKILL of the master mid-run: no hang, fallback answers, sane TATs, Redis resumes', async () => {
    const timeoutMs = 50;
    const scope = 'failover-test';
    const limits = [
      { name: 'agent', key: 'a:t:agent-1', rate: 100, burst: 20, shadow: false },
      { name: 'region', key: 'r', rate: 500, burst: 50, shadow: false },
    ];
    const stores = await Promise.all(
      Array.from({ length: 4 }, async () =>
        createFallbackQuotaStore(await clusterStore(), createMemoryQuotaStore(systemClock), {
          mode: 'local',
          timeoutMs,
          probeIntervalMs: 200,
          expectedInstances: 4,
          clock: systemClock,
        }),
      ),
    );
    const master = await cluster.masterForKey(`${prefix}{${scope}}:r`);
    let killedAt = Number.POSITIVE_INFINITY;
    let resumedAt = Number.POSITIVE_INFINITY;
    const stores2 = stores.map((store) => ({
      ...store,
      consume: async (r: Parameters<QuotaStore['consume']>[0]) => {
        const out = await store.consume(r);
        if (out.store === 'redis' && performance.now() > killedAt + 500) {
          resumedAt = Math.min(resumedAt, performance.now());
        }
        return out;
      },
    }));
    const run = hammer(
      stores2,
      scope,
      limits[0]!,
      (elapsed) => elapsed > 30_000 || performance.now() > resumedAt + 500,
    );
    await sleep(500);
    killedAt = performance.now();
    await master.kill('SIGKILL');
    const result = await run;

    expect(result.answeredBy.fallback).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThan(Number.POSITIVE_INFINITY);
    // No check waits much longer than its timeout (slack for a shared 2-core machine).
    expect(result.maxLatencyMs).toBeLessThan(timeoutMs + 250);

    // Stored TATs on the promoted master: present ones lie in [now, now + τ].
    const client = await connectCluster();
    const [sec, usec] = await (
      await cluster.masterForKey(`${prefix}{${scope}}:r`)
    )
      .cli('time')
      .then((t) => t.split('\n').map(Number));
    const nowUs = (sec ?? 0) * 1e6 + (usec ?? 0);
    for (const limit of limits) {
      const raw = await client.get(`${prefix}{${scope}}:${limit.key}`);
      if (raw === null) continue;
      const tat = Number(raw);
      const toleranceUs = (1e6 / limit.rate) * limit.burst;
      expect(Number.isFinite(tat)).toBe(true);
      expect(tat - nowUs).toBeGreaterThan(-1e5);
      expect(tat - nowUs).toBeLessThanOrEqual(toleranceUs + 1);
    }
    // And the limit still behaves: a fresh check reports a remaining within [0, burst).
    // Each instance resumes on its own probe; wait for this one (bounded), then check it.
    let after = await stores[0]!.consume({ scope, cost: 1, limits });
    for (let i = 0; i < 100 && after.store !== 'redis'; i++) {
      await sleep(100);
      after = await stores[0]!.consume({ scope, cost: 1, limits });
    }
    expect(after.store).toBe('redis');
    for (const [i, o] of after.outcomes.entries()) {
      expect(o.remaining).toBeGreaterThanOrEqual(0);
      expect(o.remaining).toBeLessThan(limits[i]!.burst);
    }
  }, 60_000);

  it('follows an agent from region to region: buckets and action ids are shared, region caps are not', async () => {
    // Slow refills (an agent unit per 20 s, a region unit per 5 s), so a loaded machine cannot
    // refill a bucket between two checks.
    const limits = parseQuotaLimits({
      version: 1,
      defaults: { agent: { rate: 0.05, burst: 2 }, tenant: { rate: 100, burst: 100 } },
    });
    const tenantId = `tenant-${randomUUID()}`;
    // Each region's quota service has its own cluster client, as in `nethical regions up`.
    const [east, west, south] = await Promise.all(
      ['us-east-test', 'eu-west-test', 'ap-south-test'].map(async (regionId) =>
        createQuota({ store: await clusterStore(), limits, regionRps: 0.2, regionId }),
      ),
    );
    const check = (q: typeof east, actionId: string) =>
      q!.check({ agentId: 'mover', tenantId, actionId });
    expect(await check(east, 'a-1')).toMatchObject({ allowed: true, store: 'redis', replay: false });
    // us-east-test's region burst (1) is spent: the next check there is denied by the region,
    // and the denial gives the agent's unit back.
    expect(await check(east, 'a-2')).toMatchObject({ allowed: false, limitName: 'region' });
    // The agent fails over: its retry of a-1 is a replay (no second charge), and a-2 fits the
    // agent's burst of 2 only because the region denial was refunded.
    expect(await check(west, 'a-1')).toMatchObject({ allowed: true, replay: true });
    expect(await check(west, 'a-2')).toMatchObject({ allowed: true, replay: false });
    // A third region has room, but the agent's bucket came along: no reset.
    expect(await check(south, 'a-3')).toMatchObject({ allowed: false, limitName: 'agent' });
    // Checks of many tenants in one event-loop turn (their keys on every master) all reach Redis.
    const burst = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        west!.check({ agentId: `agent-${i}`, tenantId: `${tenantId}-${i % 8}`, actionId: `b-${i}` }),
      ),
    );
    expect(burst.map((d) => d.store)).toEqual(burst.map(() => 'redis'));
    await Promise.all([east!.close(), west!.close(), south!.close()]);
  });
});
