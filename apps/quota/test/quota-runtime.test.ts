import { Registry } from 'prom-client';
import { testRedisUrl } from '@nethical/testing';
import { describe, expect, it } from 'vitest';
import { createQuotaRuntime } from '../src/adapters/quota-runtime';
import { QuotaConfigError } from '../src/domain/errors';
import { connectTestRedis, deletePrefix, runPrefix, sharedRedisAvailable } from './redis-support';

const limitsFile = new URL('../../../config/quota/limits.json', import.meta.url).pathname;
const available = await sharedRedisAvailable();

describe('createQuotaRuntime', () => {
  it('runs in memory without Redis and exports the instruments', async () => {
    const registry = new Registry();
    const quota = await createQuotaRuntime(
      { regionId: 'local', limitsFile, requestsPerSecond: 200 },
      { registry },
    );
    const d = await quota.check({ agentId: 'a', tenantId: 't' });
    expect(d).toMatchObject({ allowed: true, store: 'memory' });
    const text = await registry.metrics();
    expect(text).toContain('nethical_quota_checks_total{result="allowed",store="memory"} 1');
    expect(text).toContain('nethical_active_agents 1');
    expect(text).toContain('nethical_quota_check_duration_seconds_bucket');
    expect(text).not.toContain('agent="a"');
    await quota.close();
  });

  it('rejects a cluster URL with a database index', async () => {
    await expect(
      createQuotaRuntime(
        { regionId: 'r', limitsFile, redisUrl: 'redis://127.0.0.1:6379/3', redisCluster: true },
        { registry: new Registry() },
      ),
    ).rejects.toBeInstanceOf(QuotaConfigError);
  });

  it.skipIf(!available)('uses Redis when configured', async () => {
    const registry = new Registry();
    const keyPrefix = runPrefix();
    const quota = await createQuotaRuntime(
      { regionId: 'runtime-test', limitsFile, redisUrl: testRedisUrl, keyPrefix },
      { registry },
    );
    const d = await quota.check({ agentId: 'a', tenantId: 't' });
    expect(d.store).toBe('redis');
    expect(await quota.health()).toMatchObject({ redis: { ok: true } });
    expect(await registry.metrics()).toContain('nethical_quota_redis_up 1');
    await quota.close();
    const cleaner = await connectTestRedis();
    await deletePrefix(cleaner, keyPrefix);
    cleaner.disconnect();
  });
});
