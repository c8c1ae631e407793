/**
 * The anchored Merkle log: appends audit-record leaves in sequence order, persists them as
 * tiles, and serves roots and proofs at any size up to the committed one.
 *
 * MUST hold:
 * - Leaves are appended only at the current size, in order; anything else is a LeafOrderError
 *   and changes nothing.
 * - `append` resolves only after the store committed the batch; `size` and `root()` never show
 *   uncommitted leaves, and a failed commit leaves the log exactly as it was.
 * - Roots and proofs for a size ≤ `size` are the same whenever they are asked (past tiles never
 *   change), so a proof served today verifies against a checkpoint signed last year.
 */
import {
  consistencyProof as buildConsistencyProof,
  createCompactRange,
  hashLeaf,
  inclusionProof as buildInclusionProof,
  peakIds,
  rootAtSize,
  type CompactRange,
  type NewNode,
} from '@nethical/merkle';
import { LeafOrderError, TreeSizeError } from './errors';
import { createTileNodeReader, tileAppendsFor } from './tiles';
import type { TreeStore } from './tree-store';

/** An inclusion proof with everything a verifier needs besides the signed root. */
export interface InclusionProofResult {
  readonly index: number;
  readonly treeSize: number;
  readonly leafHash: Uint8Array;
  /** Audit path, leaf to root. */
  readonly hashes: Uint8Array[];
  readonly rootHash: Uint8Array;
}

/** A consistency proof between two sizes. */
export interface ConsistencyProofResult {
  readonly first: number;
  readonly second: number;
  readonly hashes: Uint8Array[];
}

/** The log over a {@link TreeStore}. Create with {@link openMerkleLog}. */
export interface MerkleLog {
  /** Committed number of leaves. */
  readonly size: number;
  /** Root of the committed tree (no I/O). */
  root(): Uint8Array;
  /**
   * Append leaves (canonical audit-record bytes, see libs/audit-log) starting at `firstIndex`,
   * which MUST equal `size`. One store commit per call: batch for throughput.
   */
  append(firstIndex: number, leaves: readonly Uint8Array[]): Promise<void>;
  /** As {@link MerkleLog.append}, for callers that already hold the RFC 6962 leaf hashes. */
  appendLeafHashes(firstIndex: number, leafHashes: readonly Uint8Array[]): Promise<void>;
  /** Root of the tree of `size` leaves (≤ committed size). */
  rootAt(size: number): Promise<Uint8Array>;
  /** Hash of leaf `index` (< committed size). */
  leafHash(index: number): Promise<Uint8Array>;
  /** Inclusion proof of leaf `index` in the tree of `treeSize` leaves (default: current). */
  inclusionProof(index: number, treeSize?: number): Promise<InclusionProofResult>;
  /** Consistency proof from `first` to `second` leaves (default: current), 0 < first ≤ second. */
  consistencyProof(first: number, second?: number): Promise<ConsistencyProofResult>;
  /**
   * Re-read size and peaks from the store. Call after a failed append whose outcome is unknown
   * (e.g. the connection dropped during COMMIT), then resume from `size`.
   */
  reload(): Promise<void>;
  /** Resolves true once the tree holds at least `size` leaves; false after `timeoutMs` or on abort. */
  waitForSize(size: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
}

async function loadRange(store: TreeStore): Promise<CompactRange> {
  const size = await store.size();
  const peaks = size === 0 ? [] : await createTileNodeReader(store).readNodes(peakIds(size));
  return createCompactRange(size, peaks);
}

/** Open the log on `store`, restoring its compact range from the stored tiles. */
export async function openMerkleLog(store: TreeStore): Promise<MerkleLog> {
  const reader = createTileNodeReader(store);
  let range = await loadRange(store);
  // Appends run one at a time, in call order; readers never wait for them.
  let queue: Promise<unknown> = Promise.resolve();
  const serialise = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  // Callers waiting for the tree to reach a size; woken after every change of `range`.
  const waiters = new Set<{ size: number; wake: () => void }>();
  const setRange = (next: CompactRange): void => {
    range = next;
    for (const w of waiters) if (w.size <= next.size) w.wake();
  };

  const checkSize = (what: string, n: number, max = range.size) => {
    if (!Number.isSafeInteger(n) || n < 0 || n > max) {
      throw new TreeSizeError(`${what} ${n} is outside the tree of ${max} leaves`);
    }
  };

  const appendHashes = (firstIndex: number, leafHashes: readonly Uint8Array[]) =>
    serialise(async () => {
      if (firstIndex !== range.size) throw new LeafOrderError(range.size, firstIndex);
      if (leafHashes.length === 0) return;
      const next = range.clone();
      const created: NewNode[] = [];
      for (const h of leafHashes) created.push(...next.append(h));
      await store.commit({
        fromSize: range.size,
        toSize: next.size,
        tiles: tileAppendsFor(created),
      });
      setRange(next);
    });

  const log: MerkleLog = {
    get size() {
      return range.size;
    },
    root: () => range.root(),
    append: (firstIndex, leaves) => appendHashes(firstIndex, leaves.map(hashLeaf)),
    appendLeafHashes: appendHashes,
    async rootAt(size) {
      checkSize('tree size', size);
      return size === range.size ? range.root() : rootAtSize(reader, size);
    },
    async leafHash(index) {
      checkSize('leaf index', index, range.size - 1);
      const [hash] = await reader.readNodes([{ level: 0, index }]);
      return hash!;
    },
    async inclusionProof(index, treeSize = range.size) {
      checkSize('tree size', treeSize);
      checkSize('leaf index', index, treeSize - 1);
      const [hashes, leafHash, rootHash] = await Promise.all([
        buildInclusionProof(reader, index, treeSize),
        log.leafHash(index),
        log.rootAt(treeSize),
      ]);
      return { index, treeSize, leafHash, hashes, rootHash };
    },
    async consistencyProof(first, second = range.size) {
      checkSize('second tree size', second);
      if (!Number.isSafeInteger(first) || first < 1 || first > second) {
        throw new TreeSizeError(`first tree size ${first} must be in 1..${second}`);
      }
      return { first, second, hashes: await buildConsistencyProof(reader, first, second) };
    },
    reload: () =>
      serialise(async () => {
        setRange(await loadRange(store));
      }),
    waitForSize(size, timeoutMs, signal) {
      if (range.size >= size) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (reached: boolean): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', aborted);
          waiters.delete(waiter);
          resolve(reached);
        };
        const aborted = (): void => done(false);
        const waiter = { size, wake: () => done(true) };
        const timer = setTimeout(aborted, timeoutMs);
        waiters.add(waiter);
        signal?.addEventListener('abort', aborted, { once: true });
        if (signal?.aborted) aborted();
      });
    },
  };
  return log;
}
