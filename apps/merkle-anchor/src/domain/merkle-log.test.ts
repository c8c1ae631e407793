import {
  hashLeaf,
  rootFromLeafHashes,
  toHex,
  verifyConsistency,
  verifyInclusion,
} from '@nethical/merkle';
import { describe, expect, it } from 'vitest';
import { createMemoryTreeStore } from './memory-tree-store';
import { LeafOrderError, TreeSizeError } from './errors';
import { openMerkleLog } from './merkle-log';
import { TILE_WIDTH, tileAppendsFor } from './tiles';
import type { TreeStore } from './tree-store';

const leaf = (i: number) => new TextEncoder().encode(`audit record ${i}`);
const leaves = Array.from({ length: 200 }, (_, i) => leaf(i));
const hashes = leaves.map(hashLeaf);
const rootOf = (n: number) => rootFromLeafHashes(hashes.slice(0, n));

async function filledLog(n: number, store: TreeStore = createMemoryTreeStore()) {
  const log = await openMerkleLog(store);
  for (let i = 0; i < n; i += 13) await log.append(i, leaves.slice(i, Math.min(n, i + 13)));
  return log;
}

describe('merkle log', () => {
  it('serves roots and verifying proofs at every past size while it grows', async () => {
    const n = 90;
    const log = await filledLog(n);
    expect(log.size).toBe(n);
    const failures: string[] = [];
    for (let size = 1; size <= n; size++) {
      const root = rootOf(size);
      if (toHex(await log.rootAt(size)) !== toHex(root)) failures.push(`root ${size}`);
      for (const index of [0, size >> 1, size - 1]) {
        const p = await log.inclusionProof(index, size);
        if (toHex(p.leafHash) !== toHex(hashes[index]!) || toHex(p.rootHash) !== toHex(root)) {
          failures.push(`fields ${index}@${size}`);
        }
        if (!verifyInclusion(index, size, p.leafHash, p.hashes, root).ok)
          failures.push(`${index}@${size}`);
      }
      const c = await log.consistencyProof(size, n);
      if (!verifyConsistency(size, n, c.hashes, root, log.root()).ok)
        failures.push(`${size}->${n}`);
    }
    expect(failures).toEqual([]);
  });

  it('rejects gaps and reorders without changing anything', async () => {
    const log = await filledLog(20);
    const root = toHex(log.root());
    await expect(log.append(21, [leaf(21)])).rejects.toEqual(new LeafOrderError(20, 21));
    await expect(log.append(19, [leaf(19)])).rejects.toBeInstanceOf(LeafOrderError);
    expect(log.size).toBe(20);
    expect(toHex(log.root())).toBe(root);
    await log.append(20, []);
    expect(log.size).toBe(20);
  });

  it('refuses sizes and indices outside the committed tree', async () => {
    const log = await filledLog(10);
    await expect(log.rootAt(11)).rejects.toBeInstanceOf(TreeSizeError);
    await expect(log.inclusionProof(10, 10)).rejects.toBeInstanceOf(TreeSizeError);
    await expect(log.inclusionProof(0, 11)).rejects.toBeInstanceOf(TreeSizeError);
    await expect(log.consistencyProof(0, 5)).rejects.toBeInstanceOf(TreeSizeError);
    await expect(log.consistencyProof(6, 5)).rejects.toBeInstanceOf(TreeSizeError);
    await expect(log.consistencyProof(5, 11)).rejects.toBeInstanceOf(TreeSizeError);
    await expect(log.leafHash(10)).rejects.toBeInstanceOf(TreeSizeError);
    expect((await log.consistencyProof(10)).hashes).toEqual([]);
  });

  it('leaves state untouched when a commit fails, and resumes after reload', async () => {
    const inner = createMemoryTreeStore();
    let failNext = false;
    const store: TreeStore = {
      ...inner,
      async commit(batch) {
        if (failNext) {
          failNext = false;
          throw new Error('connection lost');
        }
        return inner.commit(batch);
      },
    };
    const log = await filledLog(30, store);
    failNext = true;
    await expect(log.append(30, leaves.slice(30, 40))).rejects.toThrow('connection lost');
    expect(log.size).toBe(30);
    expect(toHex(log.root())).toBe(toHex(rootOf(30)));
    await log.reload();
    await log.append(30, leaves.slice(30, 40));
    expect(toHex(log.root())).toBe(toHex(rootOf(40)));
  });

  it('serialises concurrent appends in call order', async () => {
    const log = await openMerkleLog(createMemoryTreeStore());
    await Promise.all([log.append(0, leaves.slice(0, 5)), log.append(5, leaves.slice(5, 9))]);
    expect(toHex(log.root())).toBe(toHex(rootOf(9)));
  });

  it('wakes a waiter once its size is committed, and answers false after the timeout or an abort', async () => {
    const log = await openMerkleLog(createMemoryTreeStore());
    const leaf = (i: number) => new TextEncoder().encode(`leaf ${i}`);
    expect(await log.waitForSize(0, 10)).toBe(true);
    const reached = log.waitForSize(3, 5000);
    await log.append(0, [leaf(0), leaf(1)]);
    const early = await Promise.race([
      reached,
      new Promise((r) => setTimeout(() => r('pending'), 30)),
    ]);
    expect(early).toBe('pending');
    await log.append(2, [leaf(2)]);
    expect(await reached).toBe(true);
    const started = performance.now();
    expect(await log.waitForSize(10, 50)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    const abort = new AbortController();
    const aborted = log.waitForSize(10, 5000, abort.signal);
    abort.abort();
    expect(await aborted).toBe(false);
  });

  it('stores only every 4th level, in tiles of 16 hashes', async () => {
    const store = createMemoryTreeStore();
    const log = await openMerkleLog(store);
    await log.append(0, leaves.slice(0, 40));
    const tiles = await store.readTiles([
      { level: 0, index: 0 },
      { level: 0, index: 1 },
      { level: 0, index: 2 },
      { level: 1, index: 0 },
    ]);
    expect([...tiles.values()].map((t) => t.length / 32)).toEqual([TILE_WIDTH, TILE_WIDTH, 8, 2]);
    expect(tileAppendsFor([{ level: 1, index: 0, hash: hashes[0]! }])).toEqual([]);
  });
});

describe('tile node reader', () => {
  it('answers the path, leaf and root of an inclusion proof with one store read', async () => {
    const inner = createMemoryTreeStore();
    let reads = 0;
    const store: TreeStore = {
      ...inner,
      readTiles: (ids) => {
        reads++;
        return inner.readTiles(ids);
      },
    };
    const log = await filledLog(100, store);
    reads = 0;
    const p = await log.inclusionProof(37, 61);
    expect(reads).toBe(1);
    expect(verifyInclusion(37, 61, hashes[37]!, p.hashes, rootOf(61))).toEqual({ ok: true });
  });
});
