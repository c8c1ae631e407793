/**
 * Index arithmetic shared by the tree, the proofs and the storage layout. Sizes and indices are
 * JavaScript numbers: safe up to 2^53 leaves, far beyond any audit log we will run.
 */

/** Address of the hash of a complete (perfect) subtree: leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Largest power of two strictly smaller than `n` (n ≥ 2): the RFC 6962 split point. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Throw a RangeError unless `n` is a non-negative safe integer. */
export function assertSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${String(n)}`);
  }
}

/**
 * Split the leaf range [start, end) into complete subtrees, largest first (left to right).
 * For a range that is itself a node of an RFC 6962 tree (start aligned to the largest power of
 * two not above its length), folding these right to left with hashChildren gives its hash.
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  const out: NodeId[] = [];
  while (start < end) {
    let level = 0;
    // Grow while the subtree stays aligned at `start` and fits inside [start, end).
    while (start % 2 ** (level + 1) === 0 && start + 2 ** (level + 1) <= end) level++;
    out.push({ level, index: start / 2 ** level });
    start += 2 ** level;
  }
  return out;
}

/** Stable string key of a node id (for maps and de-duplication). */
export function nodeKey(id: NodeId): string {
  return `${id.level}/${id.index}`;
}
