import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import pg from 'pg';
import { createHash } from 'node:crypto';

/** The result of one statement: rows as plain objects keyed by column name. */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

/** What domain adapters need of a database: parameterised queries and multi-statement scripts. */
/** Per-query options. */
export interface QueryOptions {
  /**
   * Prepare the statement once per connection and reuse it (PostgreSQL): worth it for hot
   * queries over partitioned tables, where planning costs more than executing. PGlite ignores it.
   */
  prepare?: boolean;
}

export interface SqlQueryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[], options?: QueryOptions): Promise<SqlResult<R>>;
  /** Run a script of several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /**
   * Run several statements without parameters in one round trip (the simple-query protocol) and
   * return each statement's result, in order. Values must be inlined with `sqlLiteral`.
   */
  script<R = Record<string, unknown>>(text: string): Promise<Array<SqlResult<R>>>;
}

/**
 * A value as a quoted SQL string literal, safe to inline in a `script` whatever it holds
 * (pg's `escapeLiteral`: doubles quotes, and backslashes in an `E''` literal).
 */
export function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('sqlLiteral: a NUL character cannot be sent to PostgreSQL');
  return pg.escapeLiteral(value);
}

/**
 * One database, PostgreSQL (pool) or embedded PGlite, behind the same interface and the same
 * SQL. Type parsing is made identical on both: `int8` → `bigint`, `timestamptz` → `Date`,
 * `bytea` → `Uint8Array`.
 */
export interface SqlClient extends SqlQueryable {
  readonly kind: 'postgres' | 'pglite';
  /** Run `fn` inside BEGIN … COMMIT on one connection; ROLLBACK when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenSqlOptions {
  /** `postgres://…` URL; when empty an embedded PGlite database is opened at `dataDir`. */
  databaseUrl?: string | undefined;
  /** Folder of the embedded database; `memory://` keeps it in memory (tests). */
  dataDir?: string | undefined;
  /** Pool size for PostgreSQL. */
  poolSize?: number | undefined;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string | undefined;
}

const INT8_OID = 20;

/** Open a database: PostgreSQL when a URL is given, PGlite otherwise. */
export async function openSql(options: OpenSqlOptions): Promise<SqlClient> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPglite(options.dataDir ?? 'memory://');
}

function openPostgres(url: string, options: OpenSqlOptions): SqlClient {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID
        ? (value: string) => BigInt(value)
        : pg.types.getTypeParser(oid, format ?? 'text'),
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName,
    types: types as pg.CustomTypesConfig,
  });
  // An idle client error must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const wrap = (q: pg.Pool | pg.PoolClient): SqlQueryable => ({
    async query<R>(text: string, params?: unknown[], options?: QueryOptions) {
      const result = options?.prepare
        ? await q.query({ name: statementName(text), text, values: params as unknown[] })
        : await q.query(text, params as unknown[]);
      return { rows: result.rows.map(normaliseRow) as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(text: string) {
      await q.query(text);
    },
    async script<R>(text: string) {
      return asResults<R>(await q.query(text));
    },
  });
  const base = wrap(pool);
  return {
    kind: 'postgres',
    ...base,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        // BEGIN travels with the transaction's first statement when that is a script or exec
        // (one round trip fewer on the audit append path); before a parameterised query, alone.
        let begun = false;
        const inner = wrap(client);
        const tx: SqlQueryable = {
          async query(text, params, options) {
            if (!begun) await client.query('BEGIN');
            begun = true;
            return inner.query(text, params, options);
          },
          async exec(text) {
            await tx.script(text);
          },
          async script<R>(text: string) {
            if (begun) return inner.script<R>(text);
            begun = true;
            return (await inner.script<R>(`BEGIN;\n${text}`)).slice(1);
          },
        };
        const out = await fn(tx);
        if (begun) await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string): Promise<SqlClient> {
  const db = await PGlite.create(dataDir, {
    parsers: { [INT8_OID]: (value: string) => BigInt(value) },
  });
  void pgliteTypes;
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): SqlQueryable => ({
    async query<R>(text: string, params?: unknown[]) {
      const result = await q.query<R>(text, params);
      return { rows: result.rows, rowCount: result.rows.length || (result.affectedRows ?? 0) };
    },
    async exec(text: string) {
      await q.exec(text);
    },
    async script<R>(text: string) {
      const results = await q.exec(text);
      return results.map((r) => ({
        rows: r.rows as R[],
        rowCount: r.rows.length || (r.affectedRows ?? 0),
      }));
    },
  });
  const base = wrap(db);
  return {
    kind: 'pglite',
    ...base,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}

const statementNames = new Map<string, string>();
/** A stable name per statement text (pg keys prepared statements by name, per connection). */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `nethical_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** pg answers a script of one statement with one result, of several with an array. */
function asResults<R>(result: pg.QueryResult | pg.QueryResult[]): Array<SqlResult<R>> {
  return (Array.isArray(result) ? result : [result]).map((r) => ({
    rows: r.rows.map(normaliseRow) as R[],
    rowCount: r.rowCount ?? 0,
  }));
}

/** pg returns `bytea` as Buffer; hand out plain Uint8Array views like PGlite does. */
function normaliseRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const key in row) {
    const value = row[key];
    if (Buffer.isBuffer(value)) {
      row[key] = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    }
  }
  return row;
}
