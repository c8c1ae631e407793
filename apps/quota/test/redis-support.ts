import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { integrationMandatory, testRedisUrl } from '@nethical/testing';

/** Options for quota Redis clients: fail fast instead of queueing while disconnected. */
export const quotaRedisOptions: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  lazyConnect: true,
};

/** A unique key prefix per test run: the shared Redis must never see collisions or FLUSHALL. */
export const runPrefix = () => `nethical-test:${randomUUID().slice(0, 8)}:quota:`;

/**
 * Whether the shared test Redis is reachable. In CI (`CI=true`) an unreachable server is an
 * error, so the integration suite cannot silently skip.
 */
export async function sharedRedisAvailable(): Promise<boolean> {
  const probe = new Redis(testRedisUrl, { ...quotaRedisOptions, connectTimeout: 1000 });
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch (error) {
    if (integrationMandatory) throw error;
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Connect a client to the shared test Redis (db 15 by default). */
export async function connectTestRedis(): Promise<Redis> {
  const redis = new Redis(testRedisUrl, quotaRedisOptions);
  await redis.connect();
  return redis;
}

/** Delete every key under `prefix` (SCAN + DEL; never FLUSHALL on the shared server). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
