import { openSql } from '@nethical/postgres';

/** Database name and the URL of the server's maintenance database (`postgres`). */
export function splitDatabaseUrl(url: string): { name: string; adminUrl: string } {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  // CREATE DATABASE cannot take a bound parameter, so the name is checked instead.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name))
    throw new Error(`unsupported database name "${name}"`);
  parsed.pathname = '/postgres';
  return { name, adminUrl: parsed.toString() };
}

/** Create the database when missing; true when it was created. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const { name, adminUrl } = splitDatabaseUrl(url);
  const sql = await openSql({
    databaseUrl: adminUrl,
    poolSize: 1,
    applicationName: 'nethical-perf-validate',
  });
  try {
    const found = await sql.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount > 0) return false;
    await sql.exec(`CREATE DATABASE "${name}"`);
    return true;
  } finally {
    await sql.close();
  }
}

/** Size of the database and the number of audit records (null before audit-store migrated). */
export interface StorageStats {
  databaseBytes: number;
  auditRecords: number | null;
}

/** Measure the audit database. */
export async function storageStats(url: string): Promise<StorageStats> {
  const sql = await openSql({
    databaseUrl: url,
    poolSize: 1,
    applicationName: 'nethical-perf-validate',
  });
  try {
    const size = await sql.query<{ bytes: bigint }>(
      'SELECT pg_database_size(current_database())::int8 AS bytes',
    );
    let auditRecords: number | null = null;
    try {
      const rows = await sql.query<{ n: bigint }>('SELECT count(*)::int8 AS n FROM audit_records');
      auditRecords = Number(rows.rows[0]?.n ?? 0);
    } catch {
      auditRecords = null;
    }
    return { databaseBytes: Number(size.rows[0]?.bytes ?? 0), auditRecords };
  } finally {
    await sql.close();
  }
}
