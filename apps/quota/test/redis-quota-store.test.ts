import { describe } from 'vitest';
import { createRedisQuotaStore } from '../src/adapters/redis-quota-store';
import { describeQuotaStoreContract } from './quota-store-contract';
import {
  connectTestRedis,
  deletePrefix,
  runPrefix,
  sharedRedisAvailable,
  sleep,
} from './redis-support';

const available = await sharedRedisAvailable();

describe.skipIf(!available)('redis standalone', () => {
  const prefix = runPrefix();
  describeQuotaStoreContract(
    'redis standalone',
    async () => ({
      store: createRedisQuotaStore(await connectTestRedis(), { prefix }),
      advance: sleep,
      scope: 'us-test-1',
    }),
    async (s) => {
      const cleaner = await connectTestRedis();
      await deletePrefix(cleaner, prefix);
      cleaner.disconnect();
      await s.store.close();
    },
  );
});
