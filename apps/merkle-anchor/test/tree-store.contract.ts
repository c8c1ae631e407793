/**
 * Contract every TreeStore MUST satisfy (see domain/tree-store.ts), run against each
 * implementation by tree-store.test.ts. `reopen` simulates a process restart.
 */
import {
  hashLeaf,
  rootFromLeafHashes,
  verifyInclusion,
  verifyConsistency,
  toHex,
} from '@nethical/merkle';
import { describe, expect, it } from 'vitest';
import { StoreConflictError } from '../src/domain/errors';
import { openMerkleLog } from '../src/domain/merkle-log';
import { tileKey, type TreeStore } from '../src/domain/tree-store';

export interface StoreHarness {
  store: TreeStore;
  /** Close this store and open a new one on the same data. */
  reopen(): Promise<TreeStore>;
  /** Release everything (drop test tables, close connections). */
  cleanup(): Promise<void>;
}

const h = (byte: number, n = 1) => new Uint8Array(32 * n).fill(byte);
const leaf = (i: number) => new TextEncoder().encode(`record ${i}`);

/** Register the contract suite for one store implementation. */
export function describeTreeStoreContract(name: string, open: () => Promise<StoreHarness>): void {
  describe(`TreeStore contract: ${name}`, () => {
    const withStore = (fn: (hn: StoreHarness) => Promise<void>) => async () => {
      const hn = await open();
      try {
        await fn(hn);
      } finally {
        await hn.cleanup();
      }
    };

    it(
      'starts empty, commits atomically and reads back exactly what was committed',
      withStore(async ({ store }) => {
        expect(await store.size()).toBe(0);
        expect((await store.readTiles([{ level: 0, index: 0 }])).size).toBe(0);
        expect(await store.latestCheckpoint()).toBeUndefined();
        await store.commit({
          fromSize: 0,
          toSize: 3,
          tiles: [{ level: 0, index: 0, offset: 0, hashes: h(1, 3) }],
        });
        await store.commit({
          fromSize: 3,
          toSize: 20,
          tiles: [
            { level: 0, index: 0, offset: 3, hashes: h(2, 13) },
            { level: 0, index: 1, offset: 0, hashes: h(3, 4) },
            { level: 1, index: 0, offset: 0, hashes: h(4) },
          ],
        });
        expect(await store.size()).toBe(20);
        const tiles = await store.readTiles([
          { level: 0, index: 0 },
          { level: 0, index: 1 },
          { level: 1, index: 0 },
          { level: 5, index: 9 },
        ]);
        expect([...tiles.keys()].sort()).toEqual(['0/0', '0/1', '1/0']);
        expect(toHex(tiles.get('0/0')!)).toBe(toHex(new Uint8Array([...h(1, 3), ...h(2, 13)])));
        expect(tiles.get('0/1')).toHaveLength(128);
      }),
    );

    it(
      'rejects a batch from the wrong size, at the wrong tile offset or re-creating a tile, writing nothing',
      withStore(async ({ store }) => {
        await store.commit({
          fromSize: 0,
          toSize: 2,
          tiles: [{ level: 0, index: 0, offset: 0, hashes: h(1, 2) }],
        });
        const before = async () => ({
          size: await store.size(),
          tile: toHex(
            (await store.readTiles([{ level: 0, index: 0 }])).get(tileKey({ level: 0, index: 0 }))!,
          ),
          other: (await store.readTiles([{ level: 0, index: 1 }])).size,
        });
        const snapshot = await before();
        const bad = [
          { fromSize: 1, toSize: 3, tiles: [{ level: 0, index: 0, offset: 2, hashes: h(9) }] },
          { fromSize: 2, toSize: 3, tiles: [{ level: 0, index: 0, offset: 1, hashes: h(9) }] },
          {
            fromSize: 2,
            toSize: 3,
            tiles: [
              { level: 0, index: 1, offset: 0, hashes: h(9) },
              { level: 0, index: 0, offset: 0, hashes: h(9) },
            ],
          },
          {
            fromSize: 2,
            toSize: 3,
            tiles: [
              { level: 0, index: 1, offset: 0, hashes: h(9) },
              { level: 0, index: 2, offset: 4, hashes: h(9) },
            ],
          },
        ];
        for (const batch of bad) {
          await expect(store.commit(batch)).rejects.toBeInstanceOf(StoreConflictError);
          expect(await before()).toEqual(snapshot);
        }
      }),
    );

    it(
      'keeps checkpoints by size, returns the largest and refuses a different one for a signed size',
      withStore(async ({ store }) => {
        const a = { size: 5, rootHash: h(5), note: 'note 5\n', createdAtMs: 1_700_000_000_123 };
        const b = { size: 9, rootHash: h(9), note: 'note 9\n', createdAtMs: 1_700_000_100_000 };
        await store.saveCheckpoint(b);
        await store.saveCheckpoint(a);
        await store.saveCheckpoint(a); // idempotent
        const latest = await store.latestCheckpoint();
        expect(latest?.size).toBe(9);
        expect(latest?.note).toBe('note 9\n');
        expect(latest?.createdAtMs).toBe(1_700_000_100_000);
        expect(toHex(latest!.rootHash)).toBe(toHex(h(9)));
        await expect(store.saveCheckpoint({ ...a, note: 'forged\n' })).rejects.toBeInstanceOf(
          StoreConflictError,
        );
      }),
    );

    it(
      'restores the log exactly after a restart and keeps appending (append, close, reopen, same root)',
      withStore(async (hn) => {
        const leaves = Array.from({ length: 300 }, (_, i) => leaf(i));
        const log = await openMerkleLog(hn.store);
        // Uneven batches so tiles are left partial at every level between commits.
        for (const [from, to] of [
          [0, 1],
          [1, 17],
          [17, 18],
          [18, 150],
          [150, 161],
        ] as const) {
          await log.append(from, leaves.slice(from, to));
        }
        await hn.store.saveCheckpoint({
          size: 161,
          rootHash: log.root(),
          note: 'n\n',
          createdAtMs: 1,
        });
        const rootBefore = toHex(log.root());
        const store2 = await hn.reopen();
        const log2 = await openMerkleLog(store2);
        expect(log2.size).toBe(161);
        expect(toHex(log2.root())).toBe(rootBefore);
        expect((await store2.latestCheckpoint())?.size).toBe(161);
        await log2.append(161, leaves.slice(161, 233));
        await log2.append(233, leaves.slice(233));
        const hashes = leaves.map(hashLeaf);
        expect(toHex(log2.root())).toBe(toHex(rootFromLeafHashes(hashes)));
        // Proofs at past sizes come from the stored tiles and verify against recomputed roots.
        for (const size of [1, 2, 16, 17, 161, 256, 299, 300]) {
          const root = rootFromLeafHashes(hashes.slice(0, size));
          expect(toHex(await log2.rootAt(size))).toBe(toHex(root));
          const index = (size * 7) % size;
          const p = await log2.inclusionProof(index, size);
          expect(verifyInclusion(index, size, hashes[index]!, p.hashes, root)).toEqual({
            ok: true,
          });
          const c = await log2.consistencyProof(Math.max(1, size - 100), 300);
          const r1 = rootFromLeafHashes(hashes.slice(0, c.first));
          expect(verifyConsistency(c.first, 300, c.hashes, r1, log2.root())).toEqual({ ok: true });
        }
      }),
    );
  });
}
