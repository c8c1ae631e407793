import { MissingNodeError } from './errors';
import { hashChildren } from './hasher';
import type { NodeId } from './tree-math';

/**
 * Source of complete-subtree hashes for proof generation. Implementations may be a database
 * (batch the ids into one query) or memory. It MUST return hashes in the order of `ids` and
 * throw {@link MissingNodeError} for a node it does not hold, never guess.
 */
export interface NodeReader {
  readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]>;
}

/**
 * A node reader over leaf hashes held in memory, with every level precomputed. Meant for tests,
 * tools and small trees (O(n) memory).
 */
export function createMemoryNodeReader(leafHashes: readonly Uint8Array[]): NodeReader & {
  readonly size: number;
} {
  const levels: Uint8Array[][] = [leafHashes.slice()];
  for (;;) {
    const below = levels[levels.length - 1]!;
    if (below.length < 2) break;
    const up: Uint8Array[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) up.push(hashChildren(below[i]!, below[i + 1]!));
    levels.push(up);
  }
  return {
    size: leafHashes.length,
    async readNodes(ids) {
      return ids.map(({ level, index }) => {
        const hash = levels[level]?.[index];
        if (!hash) throw new MissingNodeError(level, index);
        return hash;
      });
    },
  };
}
