import { EMPTY_ROOT, HASH_SIZE, hashChildren } from './hasher';
import { assertSize, type NodeId } from './tree-math';

/** A complete subtree hash created by an append, with its address. */
export interface NewNode extends NodeId {
  readonly hash: Uint8Array;
}

/**
 * The compact range [0, size): one hash per set bit of `size`, largest subtree first. It is all
 * the state needed to append and to compute the root, O(log n) hashes.
 */
export interface CompactRange {
  /** Number of leaves covered. */
  readonly size: number;
  /** Hashes of the complete subtrees that make up [0, size), left to right (largest first). */
  readonly peaks: readonly Uint8Array[];
  /**
   * Append one leaf hash. Returns every complete subtree this append finished, bottom up: the
   * leaf itself at level 0, then each merged parent. Storage persists exactly these.
   */
  append(leafHash: Uint8Array): NewNode[];
  /** Root hash of [0, size) (SHA-256("") when empty). */
  root(): Uint8Array;
  /** An independent copy (appends to it do not affect this range). */
  clone(): CompactRange;
}

/** Levels of the peaks of [0, size), largest first: the set bits of `size`, high to low. */
export function peakLevels(size: number): number[] {
  assertSize('size', size);
  const levels: number[] = [];
  for (let level = 52; level >= 0; level--) {
    if (Math.floor(size / 2 ** level) % 2 === 1) levels.push(level);
  }
  return levels;
}

/** Peak node ids of [0, size), largest first. */
export function peakIds(size: number): NodeId[] {
  let start = 0;
  return peakLevels(size).map((level) => {
    const id = { level, index: start / 2 ** level };
    start += 2 ** level;
    return id;
  });
}

/** Fold peaks (largest first) into the root: right to left, as RFC 6962 splits the tree. */
export function rootFromPeaks(peaks: readonly Uint8Array[]): Uint8Array {
  if (peaks.length === 0) return EMPTY_ROOT;
  let acc = peaks[peaks.length - 1]!;
  for (let i = peaks.length - 2; i >= 0; i--) acc = hashChildren(peaks[i]!, acc);
  return acc;
}

/**
 * Create a compact range, empty or restored from a persisted size and its peak hashes (e.g. read
 * back from storage with {@link peakIds}).
 */
export function createCompactRange(size = 0, peaks: readonly Uint8Array[] = []): CompactRange {
  assertSize('size', size);
  const expected = peakLevels(size).length;
  if (peaks.length !== expected) {
    throw new RangeError(`a range of size ${size} has ${expected} peaks, got ${peaks.length}`);
  }
  for (const p of peaks) {
    if (p.length !== HASH_SIZE) throw new RangeError(`peak hash must be ${HASH_SIZE} bytes`);
  }
  let n = size;
  const stack = [...peaks];
  const range: CompactRange = {
    get size() {
      return n;
    },
    get peaks() {
      return stack.slice();
    },
    append(leafHash) {
      if (leafHash.length !== HASH_SIZE) {
        throw new RangeError(`leaf hash must be ${HASH_SIZE} bytes, got ${leafHash.length}`);
      }
      const created: NewNode[] = [{ level: 0, index: n, hash: leafHash }];
      let hash = leafHash;
      let level = 0;
      let index = n;
      // Each trailing 1-bit of the old size is a peak of the same level as the new node: merge.
      while (Math.floor(n / 2 ** level) % 2 === 1) {
        const left = stack.pop()!;
        hash = hashChildren(left, hash);
        level++;
        index = Math.floor(index / 2);
        created.push({ level, index, hash });
      }
      stack.push(hash);
      n++;
      return created;
    },
    root: () => rootFromPeaks(stack),
    clone: () => createCompactRange(n, stack),
  };
  return range;
}

/** Root hash of a list of leaf hashes (MTH of RFC 6962), in O(n) time and O(log n) memory. */
export function rootFromLeafHashes(leafHashes: Iterable<Uint8Array>): Uint8Array {
  const range = createCompactRange();
  for (const h of leafHashes) range.append(h);
  return range.root();
}
