import { testDatabaseUrl, integrationMandatory } from '@nethical/testing';
import { describe, expect, it } from 'vitest';
import { migrate } from './migrate';
import { openSql, sqlLiteral, type SqlClient, type SqlQueryable } from './sql-client';

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

const targets: Array<[string, () => Promise<SqlClient>]> = [
  ['pglite', () => openSql({ dataDir: 'memory://' })],
];
if (await reachable()) targets.push(['postgres', () => openSql({ databaseUrl: testDatabaseUrl })]);

/** A fresh one-column table, its row count, and a transaction that runs `work` then throws. */
async function scratchTable(sql: SqlClient) {
  const table = `t_${Math.random().toString(36).slice(2, 10)}`;
  await sql.exec(`CREATE TABLE ${table} (x int)`);
  return {
    table,
    count: async () => (await sql.query(`SELECT * FROM ${table}`)).rowCount,
    failIn: (work: (tx: SqlQueryable) => Promise<void>) =>
      expect(
        sql.transaction(async (tx) => {
          await work(tx);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom'),
  };
}

describe.each(targets)('sql client on %s', (_name, open) => {
  it('parses int8 as bigint, bytea as Uint8Array, timestamptz as Date', async () => {
    const sql = await open();
    const { rows } = await sql.query<{ n: bigint; b: Uint8Array; t: Date }>(
      "SELECT 9007199254740993::int8 AS n, '\\x0102'::bytea AS b, now() AS t",
    );
    expect(rows[0]?.n).toBe(9007199254740993n);
    expect(Array.from(rows[0]!.b)).toEqual([1, 2]);
    expect(rows[0]?.t).toBeInstanceOf(Date);
    await sql.close();
  });

  it('rolls back a failed transaction and applies migrations once', async () => {
    const sql = await open();
    const { table, count, failIn } = await scratchTable(sql);
    await failIn(async (tx) => void (await tx.query(`INSERT INTO ${table} VALUES (1)`)));
    expect(await count()).toBe(0);
    const migrations = [{ version: 1, name: 'a', sql: `INSERT INTO ${table} VALUES (7)` }];
    expect(await migrate(sql, `${table}_m`, migrations)).toEqual([1]);
    expect(await migrate(sql, `${table}_m`, migrations)).toEqual([]);
    expect(await count()).toBe(1);
    await sql.exec(`DROP TABLE ${table}; DROP TABLE ${table}_m`);
    await sql.close();
  });

  it('runs a script in one call, each result in order, literals inlined whatever they hold', async () => {
    const sql = await open();
    const hostile = "a'b\\c\\'; DROP TABLE x; -- é \u{1F600} $$ \\x00";
    const results = await sql.script<{ v: string }>(
      `SELECT 1 AS v; SELECT ${sqlLiteral(hostile)} AS v; SELECT v FROM (VALUES ('x'), ('y')) AS t(v)`,
    );
    expect(results.map((r) => r.rows.map((row) => String(row.v)))).toEqual([['1'], [hostile], ['x', 'y']]);
    expect(() => sqlLiteral('a\0b')).toThrow('NUL');
    await sql.close();
  });

  it('a script opens the transaction: its work is rolled back when the transaction fails', async () => {
    const sql = await open();
    const { table, count, failIn } = await scratchTable(sql);
    await failIn(async (tx) => {
      const [inserted, counted] = await tx.script<{ n: bigint }>(
        `INSERT INTO ${table} VALUES (1); SELECT count(*) AS n FROM ${table}`,
      );
      expect(inserted!.rowCount).toBe(1);
      expect(counted!.rows[0]!.n).toBe(1n);
      await tx.query(`INSERT INTO ${table} VALUES (2)`);
    });
    expect(await count()).toBe(0);
    await sql.transaction(async (tx) => {
      await tx.script(`INSERT INTO ${table} VALUES (3)`);
      await tx.query(`INSERT INTO ${table} VALUES (4)`);
    });
    expect(await count()).toBe(2);
    await sql.exec(`DROP TABLE ${table}`);
    await sql.close();
  });
});
