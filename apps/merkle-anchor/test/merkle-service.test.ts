import { NotFoundError } from '@nethical/platform';
import { describe, expect, it } from 'vitest';
import { createMemoryTreeStore } from '../src/domain/memory-tree-store';
import { openMerkleLog } from '../src/domain/merkle-log';
import { merkleService } from '../src/routes/merkle-service';

const leaf = (i: number) => new TextEncoder().encode(`leaf ${i}`);

describe('GetInclusionProof by action id', () => {
  async function setup(anchorWaitMs: number) {
    const log = await openMerkleLog(createMemoryTreeStore());
    await log.append(0, [0, 1, 2].map(leaf));
    const service = merkleService({
      log,
      checkpointer: {} as never,
      verifierKey: 'k',
      anchorWaitMs,
      // The audit store has acknowledged sequence 4; the tree holds 0..2.
      indexOf: async () => 4n,
    });
    const ctx = { signal: new AbortController().signal } as never;
    return { log, service, ctx };
  }

  it('waits for a leaf acknowledged but not yet anchored, then proves it in the current tree', async () => {
    const { log, service, ctx } = await setup(2000);
    setTimeout(() => void log.append(3, [3, 4].map(leaf)), 150);
    const started = performance.now();
    const res = await service.getInclusionProof!(
      { actionId: 'a-4', index: 0n, treeSize: 0n } as never,
      ctx,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(res.index).toBe(4n);
    expect(res.treeSize).toBe(5n);
  });

  it('answers not found, saying it is not anchored yet, once the wait is over; an explicit tree size does not wait', async () => {
    const { service, ctx } = await setup(100);
    await expect(
      service.getInclusionProof!({ actionId: 'a-4', index: 0n, treeSize: 0n } as never, ctx),
    ).rejects.toThrow(/not in the tree of 3 leaves yet/);
    const started = performance.now();
    await expect(
      service.getInclusionProof!({ actionId: 'a-4', index: 0n, treeSize: 3n } as never, ctx),
    ).rejects.toThrow(NotFoundError);
    expect(performance.now() - started).toBeLessThan(90);
  });
});
