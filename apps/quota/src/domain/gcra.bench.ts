import { bench, describe } from 'vitest';
import { gcraEvaluate } from './gcra';
import { createMemoryQuotaStore } from './memory-quota-store';
import type { StoreLimit } from './quota-store';

// The in-process cost of the algorithm (the local fallback path), without Redis.
let now = 1_790_000_000_000;
const clock = { now: () => (now += 0.05) };
const store = createMemoryQuotaStore(clock);
const limits: StoreLimit[] = [
  { name: 'agent', key: 'a', rate: 5, burst: 10, shadow: false },
  { name: 'tenant', key: 't', rate: 200, burst: 400, shadow: false },
  { name: 'region', key: 'r', rate: 1e6, burst: 1e6, shadow: false },
];
let i = 0;

describe('gcra', () => {
  bench('gcraEvaluate', () => {
    gcraEvaluate(now + 10, now, 1, { rate: 200, burst: 400 });
  });
  bench('memory store consume, 3 limits, 10,000 agents', async () => {
    const agent = `a:t:agent-${i++ % 10_000}`;
    await store.consume({
      scope: 'bench',
      cost: 1,
      limits: [{ ...limits[0]!, key: agent }, limits[1]!, limits[2]!],
      activeMember: agent,
    });
  });
});
