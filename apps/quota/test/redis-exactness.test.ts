import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { createRedisQuotaStore } from '../src/adapters/redis-quota-store';
import { expectExact, hammer } from './exactness';
import { connectTestRedis, deletePrefix, runPrefix, sharedRedisAvailable } from './redis-support';

const available = await sharedRedisAvailable();

describe.skipIf(!available)('exactness on shared Redis standalone', () => {
  it('6 instances hammering one agent for 3 s get rate × duration + burst within 1%', async () => {
    const prefix = runPrefix();
    const stores = await Promise.all(
      Array.from({ length: 6 }, async () =>
        createRedisQuotaStore(await connectTestRedis(), { prefix }),
      ),
    );
    const limit = {
      name: 'agent',
      key: `a:t:${randomUUID()}`,
      rate: 100,
      burst: 50,
      shadow: false,
    };
    try {
      const result = await hammer(stores, 'exact-test', limit, (elapsed) => elapsed >= 3000);
      expectExact(result, limit);
    } finally {
      const cleaner = await connectTestRedis();
      await deletePrefix(cleaner, prefix);
      cleaner.disconnect();
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
