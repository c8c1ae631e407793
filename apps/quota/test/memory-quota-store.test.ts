import { createMemoryQuotaStore } from '../src/domain/memory-quota-store';
import { createManualClock } from './manual-clock';
import { describeQuotaStoreContract } from './quota-store-contract';

describeQuotaStoreContract('memory', async () => {
  const clock = createManualClock();
  return {
    store: createMemoryQuotaStore(clock),
    advance: async (ms) => clock.advance(ms),
    scope: 'memory-test',
  };
});
