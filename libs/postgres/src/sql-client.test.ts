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
// One pooled connection: a test that a failed transaction leaves it clean then reuses it.
if (await reachable())
  targets.push(['postgres', () => openSql({ databaseUrl: testDatabaseUrl, poolSize: 1 })]);

/** Texts that break naive quoting; each must come back as sent through an inlined literal. */
const HOSTILE = [
  "it's",
  'back\\slash\\',
  "\\'; COMMIT; DROP TABLE x; --",
  "'); ROLLBACK; SELECT ('",
  "E'\\x41' $$dollar$$ $tag$",
  '"double" é 😀 \u2028\u2029 \t\n\r \u0001\u007f',
];

/** A fresh one-column table, its row count, and a transaction that runs `work` then throws. */
async function scratchTable(sql: SqlClient) {
  const table = `t_${Math.random().toString(36).slice(2, 10)}`;
  // x UNIQUE, checked only at COMMIT: a way to make COMMIT itself fail.
  await sql.exec(`CREATE TABLE ${table} (x int UNIQUE DEFERRABLE INITIALLY DEFERRED, t text)`);
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
    expect(results.map((r) => r.rows.map((row) => String(row.v)))).toEqual([
      ['1'],
      [hostile],
      ['x', 'y'],
    ]);
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

  it('commitWith runs the last script and COMMIT in one call, and closes the transaction', async () => {
    const sql = await open();
    const { table, count } = await scratchTable(sql);
    const results = await sql.transaction(async (tx) => {
      await tx.script(`INSERT INTO ${table} VALUES (1)`);
      const last = await tx.commitWith<{ n: bigint }>(
        `INSERT INTO ${table} VALUES (2); SELECT count(*) AS n FROM ${table};`,
      );
      await expect(tx.query('SELECT 1')).rejects.toThrow('after commitWith');
      return last;
    });
    // The script's results only: no BEGIN, no COMMIT.
    expect(results.map((r) => r.rowCount)).toEqual([1, 1]);
    expect(results[1]!.rows[0]!.n).toBe(2n);
    // As the transaction's only statement it opens it too; an empty script is a plain COMMIT.
    expect(
      await sql.transaction((tx) => tx.commitWith(`INSERT INTO ${table} VALUES (3)`)),
    ).toHaveLength(1);
    await sql.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${table} VALUES (4)`);
      expect(await tx.commitWith('')).toEqual([]);
    });
    expect(await count()).toBe(4);
    await sql.exec(`DROP TABLE ${table}`);
    await sql.close();
  });

  it('a failure in the final script or at its COMMIT rolls back and leaves the connection clean', async () => {
    const sql = await open();
    const { table, count } = await scratchTable(sql);
    // A statement fails: PostgreSQL skips the rest of the script, COMMIT included.
    await expect(
      sql.transaction(async (tx) => {
        await tx.script(`INSERT INTO ${table} VALUES (1)`);
        await tx.commitWith(
          `INSERT INTO ${table} VALUES (2); SELECT 1/0; INSERT INTO ${table} VALUES (3)`,
        );
      }),
    ).rejects.toThrow('division by zero');
    // COMMIT itself fails (a deferred unique check), as the transaction's only statement.
    await expect(
      sql.transaction((tx) => tx.commitWith(`INSERT INTO ${table} VALUES (5), (5)`)),
    ).rejects.toThrow(/duplicate key/);
    // `fn` caught a failed statement: PostgreSQL answers COMMIT with ROLLBACK.
    await expect(
      sql.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES (6)`);
        await tx.query('SELECT 1/0').catch(() => undefined);
        await tx.commitWith('');
      }),
    ).rejects.toThrow('ROLLBACK');
    expect(await count()).toBe(0);
    // Same (only) pooled connection: not left inside a transaction (a simple query that opens
    // its own transaction starts it at its own start time; the extended protocol would restamp
    // the statement at Bind), and it still commits.
    const [own] = await sql.script<{ own: boolean }>('SELECT now() = statement_timestamp() AS own');
    expect(own!.rows[0]!.own).toBe(true);
    await sql.transaction((tx) => tx.commitWith(`INSERT INTO ${table} VALUES (7)`));
    expect(await count()).toBe(1);
    await sql.exec(`DROP TABLE ${table}`);
    await sql.close();
  });

  it('commitWith stores inlined literals as sent, also inside JSON', async () => {
    const sql = await open();
    const { table } = await scratchTable(sql);
    await sql.transaction((tx) =>
      tx.commitWith(
        HOSTILE.map((t, i) => `INSERT INTO ${table} VALUES (${i}, ${sqlLiteral(t)})`).join(';\n') +
          `; INSERT INTO ${table} SELECT 100 + o::int, v
               FROM jsonb_array_elements_text(${sqlLiteral(JSON.stringify(HOSTILE))}::jsonb)
               WITH ORDINALITY AS j(v, o)`,
      ),
    );
    const { rows } = await sql.query<{ x: number; t: string }>(
      `SELECT x, t FROM ${table} ORDER BY x`,
    );
    expect(rows.map((r) => r.t)).toEqual([...HOSTILE, ...HOSTILE]);
    await sql.exec(`DROP TABLE ${table}`);
    await sql.close();
  });
});
