import type { SqlClient } from './sql-client';

/** One schema step. Versions are applied in ascending order, each exactly once. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Apply pending migrations, each in its own transaction, recording them in `table`. Safe to run
 * from several processes at once on PostgreSQL: an advisory lock serialises them.
 */
export async function migrate(
  sql: SqlClient,
  table: string,
  migrations: readonly Migration[],
): Promise<number[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`invalid migrations table name: ${table}`);
  const applied: number[] = [];
  await sql.transaction(async (tx) => {
    if (sql.kind === 'postgres') {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [table]);
    }
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await tx.query<{ version: number }>(`SELECT version FROM ${table}`)).rows.map(
        (r) => r.version,
      ),
    );
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query(`INSERT INTO ${table} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.version);
    }
  });
  return applied;
}
