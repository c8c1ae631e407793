/**
 * What the Merkle log needs from storage, and what storage MUST guarantee.
 *
 * Layout: the tree is kept as tiles (see tiles.ts). A tile is addressed by (tile level, tile
 * index) and holds up to 16 consecutive 32-byte hashes of one tree level, concatenated.
 * Tiles only ever grow at their end; a complete tile never changes again.
 *
 * Durability contract (each sentence is proven by test/tree-store.contract.ts):
 * 1. `commit` is atomic: after it resolves, the new size, every tile append and nothing else is
 *    durable; when it rejects, nothing of the batch is visible.
 * 2. `commit` MUST reject with StoreConflictError, writing nothing, unless the stored size equals
 *    `fromSize` and every tile append starts exactly at the tile's stored length.
 * 3. Stored hashes are append-only: no operation changes or removes a byte already committed.
 * 4. A store reopened on the same database returns the same size, tiles and latest checkpoint.
 * 5. Checkpoints are kept by tree size; `latestCheckpoint` is the one with the largest size, and
 *    saving a different checkpoint for an already signed size is a StoreConflictError.
 */

/** Address of a tile. */
export interface TileId {
  /** Tree level of the stored hashes divided by the tile height. */
  readonly level: number;
  /** Index of the tile in its tile level. */
  readonly index: number;
}

/** Hashes to add at the end of one tile. */
export interface TileAppend extends TileId {
  /** Number of hashes the tile holds before this append (0 creates it). */
  readonly offset: number;
  /** Concatenated 32-byte hashes. */
  readonly hashes: Uint8Array;
}

/** One atomic step of the log: its size moves from `fromSize` to `toSize`. */
export interface TreeBatch {
  readonly fromSize: number;
  readonly toSize: number;
  readonly tiles: readonly TileAppend[];
}

/** A signed checkpoint as persisted. */
export interface StoredCheckpoint {
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** The signed note, byte-exact. */
  readonly note: string;
  /** When it was signed (ms since epoch, from the injected clock). */
  readonly createdAtMs: number;
}

/** Storage of the Merkle log: tiles, size and checkpoints. */
export interface TreeStore {
  /** Committed number of leaves. */
  size(): Promise<number>;
  /**
   * Current contents of the given tiles (missing tiles are absent from the map). Keys are
   * `tileKey(id)`.
   */
  readTiles(ids: readonly TileId[]): Promise<Map<string, Uint8Array>>;
  /** Apply a batch atomically (see contract 1-2). */
  commit(batch: TreeBatch): Promise<void>;
  saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  close(): Promise<void>;
}

/** Map key of a tile id. */
export function tileKey(id: TileId): string {
  return `${id.level}/${id.index}`;
}
