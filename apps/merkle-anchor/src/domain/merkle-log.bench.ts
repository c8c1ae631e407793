/**
 * Log costs without a database (memory store): append batching and proof serving over tiles.
 * `npx vitest bench --run apps/merkle-anchor/src/domain/merkle-log.bench.ts`. Noisy on a shared
 * host; compare runs on the same machine only.
 */
import { bench, describe } from 'vitest';
import { createMemoryTreeStore } from './memory-tree-store';
import { openMerkleLog } from './merkle-log';

const SIZE = 100_000;
const leaves = Array.from({ length: SIZE }, (_, i) =>
  new TextEncoder().encode(`audit record ${i}`),
);
const log = await openMerkleLog(createMemoryTreeStore());
for (let i = 0; i < SIZE; i += 1000) await log.append(i, leaves.slice(i, i + 1000));
let k = 0;
const fresh = await openMerkleLog(createMemoryTreeStore());
const batched = await openMerkleLog(createMemoryTreeStore());

describe('append (memory store)', () => {
  bench('append 1 leaf per commit', async () => {
    await fresh.append(fresh.size, [leaves[fresh.size % SIZE]!]);
  });
  bench('append 100 leaves per commit', async () => {
    await batched.append(batched.size, leaves.slice(0, 100));
  });
});

describe('proofs over 100,000 leaves (memory store, tiles)', () => {
  bench('inclusion proof at current size', async () => {
    await log.inclusionProof((k = (k + 7919) % SIZE));
  });
  bench('inclusion proof at a past size', async () => {
    k = (k + 7919) % SIZE;
    await log.inclusionProof(k >> 1, k + 1);
  });
  bench('consistency proof', async () => {
    k = (k + 7919) % (SIZE - 1);
    await log.consistencyProof(k + 1);
  });
});
