/**
 * Tile layout of the stored tree. Only every 4th tree level is stored (levels 0, 4, 8, …), in
 * tiles of 16 consecutive hashes; a node on another level is rebuilt from the ≤ 8 stored
 * hashes below it. Why 4 / 16: a full tile is 512 bytes, so a PostgreSQL row stays inline
 * (far below the ~2 KB TOAST threshold) and a one-leaf append rewrites at most one small row
 * per tile level, while storage stays ≈ 32 B × 1.07 per leaf plus ≈ 4 B of row overhead
 * (tiles of 256 would cut the overhead but rewrite an 8 KB TOASTed value on every append).
 */
import { HASH_SIZE, MissingNodeError, hashChildren, nodeKey } from '@nethical/merkle';
import type { NewNode, NodeId, NodeReader } from '@nethical/merkle';
import { tileKey, type TileAppend, type TileId, type TreeStore } from './tree-store';

/** Tree levels per tile level. Changing it changes the on-disk layout. */
export const TILE_HEIGHT = 4;
/** Hashes per complete tile. */
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

/** Where a node's hash lives: the tile, the first stored hash and how many to fold. */
function locate(id: NodeId): { tile: TileId; first: number; count: number } {
  const level = Math.floor(id.level / TILE_HEIGHT);
  const below = id.level - level * TILE_HEIGHT;
  const start = id.index * 2 ** below; // index on the stored level
  return {
    tile: { level, index: Math.floor(start / TILE_WIDTH) },
    first: start % TILE_WIDTH,
    count: 2 ** below,
  };
}

/**
 * Turn the complete subtrees finished by some appends (in the order the compact range
 * reported them) into tile appends: stored levels only, consecutive hashes per tile merged.
 */
export function tileAppendsFor(nodes: readonly NewNode[]): TileAppend[] {
  const groups = new Map<string, { tile: TileId; offset: number; hashes: Uint8Array[] }>();
  for (const node of nodes) {
    if (node.level % TILE_HEIGHT !== 0) continue;
    const { tile, first } = locate(node);
    const key = tileKey(tile);
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { tile, offset: first, hashes: [node.hash] });
    } else if (group.offset + group.hashes.length === first) {
      group.hashes.push(node.hash);
    } else {
      throw new Error(`non-consecutive node ${nodeKey(node)} in tile ${key}`);
    }
  }
  return [...groups.values()].map(({ tile, offset, hashes }) => {
    const bytes = new Uint8Array(hashes.length * HASH_SIZE);
    hashes.forEach((h, i) => bytes.set(h, i * HASH_SIZE));
    return { ...tile, offset, hashes: bytes };
  });
}

/** Fold 2^k adjacent hashes (a complete subtree's bottom row) into the subtree hash. */
function foldRow(bytes: Uint8Array, first: number, count: number): Uint8Array {
  let row: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    row.push(bytes.subarray((first + i) * HASH_SIZE, (first + i + 1) * HASH_SIZE));
  }
  while (row.length > 1) {
    const up: Uint8Array[] = [];
    for (let i = 0; i < row.length; i += 2) up.push(hashChildren(row[i]!, row[i + 1]!));
    row = up;
  }
  return row[0]!;
}

/**
 * A node reader over a tree store. Calls made in the same tick (an inclusion proof asks for the
 * path, the leaf and the root concurrently) are served by one `readTiles` call, i.e. one query.
 * Only complete subtrees exist in tiles, so it serves any past tree size.
 */
export function createTileNodeReader(store: Pick<TreeStore, 'readTiles'>): NodeReader {
  type Pending = {
    ids: readonly NodeId[];
    resolve: (h: Uint8Array[]) => void;
    reject: (e: unknown) => void;
  };
  let pending: Pending[] = [];

  async function flush(batch: Pending[]): Promise<void> {
    try {
      const unique = new Map<string, TileId>();
      for (const p of batch)
        for (const id of p.ids) unique.set(tileKey(locate(id).tile), locate(id).tile);
      const tiles = await store.readTiles([...unique.values()]);
      for (const p of batch) {
        try {
          p.resolve(p.ids.map((id) => nodeFromTiles(tiles, id)));
        } catch (err) {
          p.reject(err);
        }
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  return {
    readNodes(ids) {
      return new Promise<Uint8Array[]>((resolve, reject) => {
        if (pending.length === 0) {
          queueMicrotask(() => {
            const batch = pending;
            pending = [];
            void flush(batch);
          });
        }
        pending.push({ ids, resolve, reject });
      });
    },
  };
}

function nodeFromTiles(tiles: Map<string, Uint8Array>, id: NodeId): Uint8Array {
  const { tile, first, count } = locate(id);
  const bytes = tiles.get(tileKey(tile));
  if (!bytes || bytes.length < (first + count) * HASH_SIZE) {
    throw new MissingNodeError(id.level, id.index);
  }
  return count === 1
    ? bytes.slice(first * HASH_SIZE, (first + 1) * HASH_SIZE)
    : foldRow(bytes, first, count);
}
