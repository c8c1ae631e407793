/**
 * The Redis store against a real Redis (db 15 by default, unique key prefix per run). Mandatory
 * when CI=true; skipped locally when Redis is unreachable.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationMandatory, testRedisUrl } from '@nethical/testing';
import { createRedisAnomalyStore } from '../src/adapters/redis-anomaly-store';
import { AnomalyStoreError } from '../src/domain/anomaly-store';
import { anomalyStoreContract } from './anomaly-store-contract';

async function reachable(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const available = await reachable(testRedisUrl);
if (!available && integrationMandatory)
  throw new Error(`Redis required (CI=true) but unreachable at ${testRedisUrl}`);

describe.skipIf(!available)('redis anomaly store (real Redis)', () => {
  const prefix = `nethical:test:ml:${randomUUID()}:`;
  let redis: Redis;
  let n = 0;

  beforeAll(() => {
    redis = new Redis(testRedisUrl);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  anomalyStoreContract(() => createRedisAnomalyStore({ redis, keyPrefix: `${prefix}${n++}:` }));

  it('sets an expiry on every baseline it writes', async () => {
    const keyPrefix = `${prefix}ttl:`;
    const store = createRedisAnomalyStore({ redis, keyPrefix, ttlMs: 60_000 });
    await store.update('agent-a', () => ({
      next: {
        count: 1,
        lastSeenMs: 0,
        score: { mean: 0, variance: 0 },
        size: { mean: 0, variance: 0 },
      },
      result: null,
    }));
    const ttl = await redis.pttl(`${keyPrefix}anomaly:agent-a`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('two instances on one Redis share baselines and lose no update', async () => {
    const keyPrefix = `${prefix}shared:`;
    const other = new Redis(testRedisUrl);
    try {
      const a = createRedisAnomalyStore({ redis, keyPrefix });
      const b = createRedisAnomalyStore({ redis: other, keyPrefix });
      const bump = (s: typeof a) =>
        s.update('agent-x', (prev) => ({
          next: {
            count: (prev?.count ?? 0) + 1,
            lastSeenMs: 0,
            score: { mean: 0, variance: 0 },
            size: { mean: 0, variance: 0 },
          },
          result: null,
        }));
      await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 === 0 ? a : b)));
      expect(await a.update('agent-x', (prev) => ({ next: prev!, result: prev?.count }))).toBe(20);
    } finally {
      await other.quit();
    }
  });

  it('treats a corrupt stored value as a fresh agent and overwrites it', async () => {
    const keyPrefix = `${prefix}corrupt:`;
    await redis.set(`${keyPrefix}anomaly:agent-a`, '{not json');
    const store = createRedisAnomalyStore({ redis, keyPrefix });
    const prev = await store.update('agent-a', (p) => ({
      next: {
        count: 1,
        lastSeenMs: 0,
        score: { mean: 0, variance: 0 },
        size: { mean: 0, variance: 0 },
      },
      result: p,
    }));
    expect(prev).toBeUndefined();
    expect(JSON.parse((await redis.get(`${keyPrefix}anomaly:agent-a`))!)).toMatchObject({
      count: 1,
    });
  });

  it('reports an unreachable Redis as AnomalyStoreError', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    try {
      const store = createRedisAnomalyStore({ redis: dead, keyPrefix: `${prefix}dead:` });
      await expect(store.ping()).rejects.toThrow(AnomalyStoreError);
      await expect(
        store.update('a', () => ({ next: undefined as never, result: null })),
      ).rejects.toThrow(AnomalyStoreError);
    } finally {
      dead.disconnect();
    }
  });
});
