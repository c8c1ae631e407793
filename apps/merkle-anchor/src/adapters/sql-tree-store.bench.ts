/**
 * Append and proof costs on PGlite (in memory) and PostgreSQL (when reachable), and the bytes
 * per leaf the tiles take on PostgreSQL (printed once).
 * `npx vitest bench --run apps/merkle-anchor/src/adapters/sql-tree-store.bench.ts`.
 * Figures depend on the host and its load (shared 2-core machine here): treat them as rough.
 */
import { openSql, type SqlClient } from '@nethical/postgres';
import { testDatabaseUrl } from '@nethical/testing';
import { afterAll, bench, describe } from 'vitest';
import { openMerkleLog, type MerkleLog } from '../domain/merkle-log';
import { openSqlTreeStore } from './sql-tree-store';

const SIZE = 20_000;
const leaves = Array.from({ length: SIZE }, (_, i) =>
  new TextEncoder().encode(`audit record ${i}`),
);
const prefix = `mtbench${Date.now().toString(36)}_`;
const targets: Array<[string, SqlClient]> = [['pglite', await openSql({ dataDir: 'memory://' })]];
try {
  const pg = await openSql({ databaseUrl: testDatabaseUrl, poolSize: 4 });
  await pg.query('SELECT 1');
  targets.push(['postgres', pg]);
} catch {
  // PostgreSQL not reachable: PGlite only.
}

const logs = new Map<string, { log: MerkleLog; fresh: MerkleLog }>();
for (const [name, sql] of targets) {
  const log = await openMerkleLog(await openSqlTreeStore({ sql, tablePrefix: prefix }));
  for (let i = 0; i < SIZE; i += 1000) await log.append(i, leaves.slice(i, i + 1000));
  const fresh = await openMerkleLog(await openSqlTreeStore({ sql, tablePrefix: `${prefix}f` }));
  logs.set(name, { log, fresh });
  if (name === 'postgres') {
    const { rows } = await sql.query<{ bytes: bigint }>(
      `SELECT pg_total_relation_size('${prefix}tiles') AS bytes`,
    );
    const perLeaf = Number(rows[0]!.bytes) / SIZE;
    console.log(
      `postgres: tiles table incl. index = ${perLeaf.toFixed(1)} bytes per leaf at ${SIZE} leaves`,
    );
  }
}

afterAll(async () => {
  for (const [, sql] of targets) {
    for (const p of [prefix, `${prefix}f`]) {
      for (const t of ['tree', 'tiles', 'checkpoints', 'migrations']) {
        await sql.exec(`DROP TABLE IF EXISTS ${p}${t}`);
      }
    }
    await sql.close();
  }
});

let k = 0;
for (const [name] of targets) {
  describe(`${name}`, () => {
    bench('append 1 leaf per commit', async () => {
      const { fresh } = logs.get(name)!;
      await fresh.append(fresh.size, [leaves[fresh.size % SIZE]!]);
    });
    bench('append 100 leaves per commit', async () => {
      const { fresh } = logs.get(name)!;
      await fresh.append(fresh.size, leaves.slice(0, 100));
    });
    bench(`inclusion proof over ${SIZE} leaves`, async () => {
      await logs.get(name)!.log.inclusionProof((k = (k + 7919) % SIZE));
    });
    bench(`consistency proof over ${SIZE} leaves`, async () => {
      k = (k + 7919) % (SIZE - 1);
      await logs.get(name)!.log.consistencyProof(k + 1);
    });
  });
}
