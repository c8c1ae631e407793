import { integrationMandatory, testDatabaseUrl } from '@nethical/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { openSql, type SqlClient } from './sql-client';
import { relationSizes, storageBytesGauge } from './storage-size';

async function reachable(): Promise<boolean> {
  try {
    const sql = await openSql({ databaseUrl: testDatabaseUrl, poolSize: 1 });
    await sql.query('SELECT 1');
    await sql.close();
    return true;
  } catch (err) {
    if (integrationMandatory) throw err;
    return false;
  }
}

const targets: Array<[string, () => Promise<SqlClient>]> = [['pglite', () => openSql({ dataDir: 'memory://' })]];
if (await reachable()) targets.push(['postgres', () => openSql({ databaseUrl: testDatabaseUrl, poolSize: 2 })]);

describe.each(targets)('storage size on %s', (_name, open) => {
  it('sums a partitioned table over its partitions, reports indexes apart, and only the prefix', async () => {
    const sql = await open();
    const p = `sz_${Math.random().toString(36).slice(2, 8)}_`;
    try {
      await sql.exec(`
        CREATE TABLE ${p}plain (id int PRIMARY KEY, body text);
        CREATE TABLE ${p}parted (seq int8 NOT NULL, body text) PARTITION BY RANGE (seq);
        CREATE TABLE ${p}parted_0 PARTITION OF ${p}parted FOR VALUES FROM (0) TO (1000);
        CREATE TABLE ${p}parted_1 PARTITION OF ${p}parted FOR VALUES FROM (1000) TO (2000);
        CREATE INDEX ON ${p}parted (seq);
        INSERT INTO ${p}plain SELECT g, repeat('x', 200) FROM generate_series(1, 500) g;
        INSERT INTO ${p}parted SELECT g, repeat('y', 200) FROM generate_series(0, 1999) g;
        CREATE TABLE other_${p}plain (id int);`);
      const sizes = await relationSizes(sql, p);
      // Partitions are folded into their parent; the other table does not match the prefix.
      expect(sizes.map((s) => s.relation)).toEqual([`${p}parted`, `${p}plain`]);
      for (const s of sizes) {
        expect(s.tableBytes).toBeGreaterThan(8192);
        expect(s.indexBytes).toBeGreaterThan(0);
      }
      const parted = sizes[0]!;
      const one = await sql.query<{ b: bigint }>(`SELECT pg_table_size('${p}parted_0')::int8 AS b`);
      expect(parted.tableBytes).toBeGreaterThan(Number(one.rows[0]!.b));

      const registry = new Registry();
      storageBytesGauge(registry, sql, p);
      const text = await registry.metrics();
      expect(text).toContain(`nethical_storage_bytes{relation="${p}parted",kind="table"} ${parted.tableBytes}`);
      expect(text).toContain(`nethical_storage_bytes{relation="${p}plain",kind="index"}`);
    } finally {
      await sql.exec(`DROP TABLE IF EXISTS ${p}plain, ${p}parted, other_${p}plain`);
      await sql.close();
    }
  });
});
