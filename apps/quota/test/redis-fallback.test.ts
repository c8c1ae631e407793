import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freePort, startRedisServer } from '@nethical/testing';
import { createRedisQuotaStore } from '../src/adapters/redis-quota-store';
import { createFallbackQuotaStore } from '../src/domain/fallback-quota-store';
import { createMemoryQuotaStore } from '../src/domain/memory-quota-store';
import { systemClock, type ConsumeRequest } from '../src/domain/quota-store';
import { quotaRedisOptions, sleep } from './redis-support';

/**
 * Real outages of a standalone Redis: a server this test starts and SIGKILLs itself (never the
 * shared 6379 one) and a closed port.
 */
const request: ConsumeRequest = {
  scope: 'fallback-test',
  cost: 1,
  limits: [{ name: 'agent', key: 'a:t:agent', rate: 10, burst: 10, shadow: false }],
};

function fallbackStore(redis: Redis) {
  return createFallbackQuotaStore(
    createRedisQuotaStore(redis, { prefix: 'nethical-test:quota:' }),
    createMemoryQuotaStore(systemClock),
    {
      mode: 'local',
      timeoutMs: 50,
      probeIntervalMs: 100,
      expectedInstances: 2,
      clock: systemClock,
    },
  );
}

describe('fallback to the local limiter', () => {
  it('takes over within one check when Redis dies and hands back when it returns', async () => {
    const server = await startRedisServer();
    const redis = new Redis(server.url, { ...quotaRedisOptions, retryStrategy: () => 50 });
    redis.on('error', () => {}); // reconnect errors are expected while the server is down
    await redis.connect();
    const store = fallbackStore(redis);
    try {
      expect((await store.consume(request)).store).toBe('redis');
      await server.kill('SIGKILL');
      const during = await store.consume(request);
      expect(during.store).toBe('fallback');
      expect(during.allowed).toBe(true);
      // Local share: burst 10 over 2 instances = 5.
      expect(during.outcomes[0]?.remaining).toBe(4);
      expect((await store.health()).redis?.ok).toBe(false);

      const again = await startRedisServer({ port: server.port });
      try {
        let answeredBy = '';
        for (let i = 0; i < 100 && answeredBy !== 'redis'; i++) {
          await sleep(50);
          answeredBy = (await store.consume(request)).store;
        }
        expect(answeredBy).toBe('redis');
        expect((await store.health()).redis?.ok).toBe(true);
      } finally {
        await again.stop();
      }
    } finally {
      await store.close();
      await server.stop();
    }
  });

  it('answers locally from the first check when Redis was never reachable', async () => {
    const port = await freePort();
    const redis = new Redis(`redis://127.0.0.1:${port}`, {
      ...quotaRedisOptions,
      lazyConnect: false,
    });
    redis.on('error', () => {});
    const store = fallbackStore(redis);
    try {
      const first = await store.consume(request);
      expect(first).toMatchObject({ allowed: true, store: 'fallback' });
    } finally {
      await store.close();
    }
  });
});
