/**
 * In-memory TreeStore: the reference for the contract suite and the store of unit tests.
 * Lost on exit; never use it for a real log.
 */
import { HASH_SIZE, equalBytes } from '@nethical/merkle';
import { StoreConflictError } from './errors';
import { tileKey, type StoredCheckpoint, type TreeStore } from './tree-store';

/** Create an empty in-memory tree store. */
export function createMemoryTreeStore(): TreeStore {
  let size = 0;
  const tiles = new Map<string, Uint8Array>();
  const checkpoints = new Map<number, StoredCheckpoint>();
  return {
    async size() {
      return size;
    },
    async readTiles(ids) {
      const out = new Map<string, Uint8Array>();
      for (const id of ids) {
        const t = tiles.get(tileKey(id));
        if (t) out.set(tileKey(id), t.slice());
      }
      return out;
    },
    async commit(batch) {
      if (batch.fromSize !== size) {
        throw new StoreConflictError(`store has ${size} leaves, batch starts at ${batch.fromSize}`);
      }
      // Validate everything before changing anything: the commit is all or nothing.
      const next = new Map<string, Uint8Array>();
      for (const t of batch.tiles) {
        const key = tileKey(t);
        const have = next.get(key) ?? tiles.get(key) ?? new Uint8Array(0);
        if (have.length !== t.offset * HASH_SIZE || t.hashes.length % HASH_SIZE !== 0) {
          throw new StoreConflictError(
            `tile ${key} holds ${have.length / HASH_SIZE} hashes, append at ${t.offset}`,
          );
        }
        const grown = new Uint8Array(have.length + t.hashes.length);
        grown.set(have);
        grown.set(t.hashes, have.length);
        next.set(key, grown);
      }
      for (const [key, value] of next) tiles.set(key, value);
      size = batch.toSize;
    },
    async saveCheckpoint(c) {
      const have = checkpoints.get(c.size);
      if (have && (have.note !== c.note || !equalBytes(have.rootHash, c.rootHash))) {
        throw new StoreConflictError(`a different checkpoint of size ${c.size} is stored`);
      }
      checkpoints.set(c.size, { ...c, rootHash: c.rootHash.slice() });
    },
    async latestCheckpoint() {
      let best: StoredCheckpoint | undefined;
      for (const c of checkpoints.values()) if (!best || c.size > best.size) best = c;
      return best;
    },
    async close() {},
  };
}
