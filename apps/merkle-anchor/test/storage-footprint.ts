/**
 * Measures the on-disk cost of the tree on PostgreSQL at scale, plus append and proof times:
 *
 *   npx tsx apps/merkle-anchor/test/storage-footprint.ts [leaves=1000000] [batch=1000]
 *
 * Uses NETHICAL_TEST_DATABASE_URL (default local postgres), tables with a unique prefix, dropped
 * at the end. Leaves are synthetic 300-byte records (the tree stores only their hashes). Times
 * depend on the host; run it on an idle machine for figures worth comparing.
 */
import { openSql } from '@nethical/postgres';
import { testDatabaseUrl } from '@nethical/testing';
import { verifyInclusion } from '@nethical/merkle';
import { openSqlTreeStore } from '../src/adapters/sql-tree-store';
import { openMerkleLog } from '../src/domain/merkle-log';

const total = Number(process.argv[2] ?? 1_000_000);
const batch = Number(process.argv[3] ?? 1000);
const prefix = `mtfoot${Date.now().toString(36)}_`;
const sql = await openSql({ databaseUrl: testDatabaseUrl, poolSize: 2 });
const out = (line: string) => process.stdout.write(`${line}\n`);
try {
  const log = await openMerkleLog(await openSqlTreeStore({ sql, tablePrefix: prefix }));
  const record = new Uint8Array(300);
  const view = new DataView(record.buffer);
  const started = performance.now();
  for (let i = 0; i < total; i += batch) {
    const leaves: Uint8Array[] = [];
    for (let k = i; k < Math.min(total, i + batch); k++) {
      view.setFloat64(0, k);
      leaves.push(record.slice());
    }
    await log.append(i, leaves);
  }
  const appendMs = performance.now() - started;
  await sql.exec(`VACUUM ${prefix}tiles`);
  const { rows } = await sql.query<{ heap: bigint; total: bigint; n: bigint }>(
    `SELECT pg_relation_size('${prefix}tiles') AS heap, pg_total_relation_size('${prefix}tiles') AS total,
            (SELECT count(*) FROM ${prefix}tiles) AS n`,
  );
  const r = rows[0]!;
  out(
    `leaves ${total}, batch ${batch}: ${(total / (appendMs / 1000)).toFixed(0)} leaves/s appended`,
  );
  out(
    `tiles: ${r.n} rows, heap ${(Number(r.heap) / total).toFixed(1)} B/leaf, with index and TOAST ${(Number(r.total) / total).toFixed(1)} B/leaf`,
  );
  const times: number[] = [];
  for (let k = 0; k < 200; k++) {
    const index = Math.floor((k * 7919 * 104729) % total);
    const t = performance.now();
    const p = await log.inclusionProof(index);
    times.push(performance.now() - t);
    if (!verifyInclusion(index, total, p.leafHash, p.hashes, log.root()).ok)
      throw new Error('bad proof');
  }
  times.sort((a, b) => a - b);
  out(
    `inclusion proof at size ${total}: median ${times[100]!.toFixed(2)} ms, p95 ${times[190]!.toFixed(2)} ms (200 proofs, all verified)`,
  );
} finally {
  for (const t of ['tree', 'tiles', 'checkpoints', 'migrations'])
    await sql.exec(`DROP TABLE IF EXISTS ${prefix}${t}`);
  await sql.close();
}
