/**
 * TreeStore on PostgreSQL or embedded PGlite (same SQL), through @nethical/postgres.
 *
 * Tables (default prefix `merkle_`):
 * - `merkle_tree`        one row: committed tree size and the tile height of the layout.
 * - `merkle_tiles`       (tile_level, tile_index) → bytea of ≤ 16 concatenated 32-byte hashes
 *                        of tree level 4·tile_level (see domain/tiles.ts). ≈ 36 bytes per leaf
 *                        on disk all levels included (rows stay inline, never TOASTed).
 * - `merkle_checkpoints` every signed checkpoint by tree size (one per N leaves: negligible).
 *
 * A commit is one transaction: guarded size bump (optimistic: `WHERE tree_size = from`), one
 * INSERT of all new tiles and one guarded UPDATE of all grown tiles, both via unnest().
 */
import { HASH_SIZE, equalBytes } from '@nethical/merkle';
import { migrate, type Migration, type SqlClient } from '@nethical/postgres';
import { StoreConflictError } from '../domain/errors';
import { TILE_HEIGHT } from '../domain/tiles';
import { tileKey, type TreeStore } from '../domain/tree-store';

export interface SqlTreeStoreOptions {
  /** Open database; the store does not close it (the composition root owns it). */
  sql: SqlClient;
  /** Table name prefix, `[a-z_][a-z0-9_]*` (tests use a unique one). Default `merkle_`. */
  tablePrefix?: string;
}

function migrations(p: string): Migration[] {
  return [
    {
      version: 1,
      name: 'tree, tiles, checkpoints',
      sql: `
CREATE TABLE ${p}tree (
  id smallint PRIMARY KEY CHECK (id = 1),
  tree_size int8 NOT NULL CHECK (tree_size >= 0),
  tile_height smallint NOT NULL
);
INSERT INTO ${p}tree (id, tree_size, tile_height) VALUES (1, 0, ${TILE_HEIGHT});
CREATE TABLE ${p}tiles (
  tile_level smallint NOT NULL,
  tile_index int8 NOT NULL,
  hashes bytea NOT NULL CHECK (octet_length(hashes) % ${HASH_SIZE} = 0),
  PRIMARY KEY (tile_level, tile_index)
);
CREATE TABLE ${p}checkpoints (
  tree_size int8 PRIMARY KEY,
  root_hash bytea NOT NULL,
  note text NOT NULL,
  created_at timestamptz NOT NULL
);`,
    },
  ];
}

const UNIQUE_VIOLATION = '23505';

/**
 * Open the store: apply migrations (`<prefix>migrations`), then check the stored layout.
 * @throws StoreConflictError when the database was written with another tile height.
 */
export async function openSqlTreeStore(options: SqlTreeStoreOptions): Promise<TreeStore> {
  const { sql } = options;
  const p = options.tablePrefix ?? 'merkle_';
  if (!/^[a-z_][a-z0-9_]*$/.test(p)) throw new Error(`invalid table prefix: ${p}`);
  await migrate(sql, `${p}migrations`, migrations(p));
  const layout = await sql.query<{ tile_height: number }>(`SELECT tile_height FROM ${p}tree`);
  if (layout.rows[0]?.tile_height !== TILE_HEIGHT) {
    throw new StoreConflictError(
      `stored tile height ${String(layout.rows[0]?.tile_height)} is not ${TILE_HEIGHT}`,
    );
  }

  return {
    async size() {
      const { rows } = await sql.query<{ tree_size: bigint }>(`SELECT tree_size FROM ${p}tree`);
      return Number(rows[0]!.tree_size);
    },

    async readTiles(ids) {
      const out = new Map<string, Uint8Array>();
      if (ids.length === 0) return out;
      const { rows } = await sql.query<{
        tile_level: number;
        tile_index: bigint;
        hashes: Uint8Array;
      }>(
        `SELECT t.tile_level, t.tile_index, t.hashes
           FROM unnest($1::smallint[], $2::int8[]) AS u(l, i)
           JOIN ${p}tiles t ON t.tile_level = u.l AND t.tile_index = u.i`,
        [ids.map((id) => id.level), ids.map((id) => id.index)],
        // Prepared: one statement text for every proof, so it is planned once per connection.
        { prepare: true },
      );
      for (const r of rows) {
        out.set(tileKey({ level: r.tile_level, index: Number(r.tile_index) }), r.hashes);
      }
      return out;
    },

    async commit(batch) {
      const created = batch.tiles.filter((t) => t.offset === 0);
      const grown = batch.tiles.filter((t) => t.offset > 0);
      try {
        await sql.transaction(async (tx) => {
          const bumped = await tx.query(
            `UPDATE ${p}tree SET tree_size = $2 WHERE id = 1 AND tree_size = $1`,
            [batch.fromSize, batch.toSize],
          );
          if (bumped.rowCount !== 1) {
            throw new StoreConflictError(`stored size is not ${batch.fromSize}`);
          }
          if (grown.length > 0) {
            const updated = await tx.query(
              `UPDATE ${p}tiles t SET hashes = t.hashes || u.h
                 FROM unnest($1::smallint[], $2::int8[], $3::bytea[], $4::int4[]) AS u(l, i, h, len)
                WHERE t.tile_level = u.l AND t.tile_index = u.i AND octet_length(t.hashes) = u.len`,
              [
                grown.map((t) => t.level),
                grown.map((t) => t.index),
                grown.map((t) => t.hashes),
                grown.map((t) => t.offset * HASH_SIZE),
              ],
            );
            if (updated.rowCount !== grown.length) {
              throw new StoreConflictError('a tile does not end where the batch appends');
            }
          }
          if (created.length > 0) {
            await tx.query(
              `INSERT INTO ${p}tiles (tile_level, tile_index, hashes)
               SELECT * FROM unnest($1::smallint[], $2::int8[], $3::bytea[])`,
              [
                created.map((t) => t.level),
                created.map((t) => t.index),
                created.map((t) => t.hashes),
              ],
            );
          }
        });
      } catch (err) {
        if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
          throw new StoreConflictError('a tile the batch creates already exists', { cause: err });
        }
        throw err;
      }
    },

    async saveCheckpoint(c) {
      const inserted = await sql.query(
        `INSERT INTO ${p}checkpoints (tree_size, root_hash, note, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tree_size) DO NOTHING`,
        [c.size, c.rootHash, c.note, new Date(c.createdAtMs)],
      );
      if (inserted.rowCount === 1) return;
      const { rows } = await sql.query<{ root_hash: Uint8Array; note: string }>(
        `SELECT root_hash, note FROM ${p}checkpoints WHERE tree_size = $1`,
        [c.size],
      );
      const have = rows[0];
      if (!have || have.note !== c.note || !equalBytes(have.root_hash, c.rootHash)) {
        throw new StoreConflictError(`a different checkpoint of size ${c.size} is stored`);
      }
    },

    async latestCheckpoint() {
      const { rows } = await sql.query<{
        tree_size: bigint;
        root_hash: Uint8Array;
        note: string;
        created_at: Date;
      }>(
        `SELECT tree_size, root_hash, note, created_at FROM ${p}checkpoints
          ORDER BY tree_size DESC LIMIT 1`,
      );
      const r = rows[0];
      if (!r) return undefined;
      return {
        size: Number(r.tree_size),
        rootHash: r.root_hash,
        note: r.note,
        createdAtMs: r.created_at.getTime(),
      };
    },

    async close() {},
  };
}
