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
  query<R = Record<string, unknown>>(
    text: string,
    params?: unknown[],
    options?: QueryOptions,
  ): Promise<SqlResult<R>>;
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
  if (value.includes('\0'))
    throw new Error('sqlLiteral: a NUL character cannot be sent to PostgreSQL');
  return pg.escapeLiteral(value);
}

/**
 * One database, PostgreSQL (pool) or embedded PGlite, behind the same interface and the same
 * SQL. Type parsing is made identical on both: `int8` → `bigint`, `timestamptz` → `Date`,
 * `bytea` → `Uint8Array`.
 */
export interface SqlClient extends SqlQueryable {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Run `fn` inside BEGIN … COMMIT on one connection; ROLLBACK when it throws. Resolves only
   * after COMMIT; a COMMIT that PostgreSQL answers with ROLLBACK (an error inside the
   * transaction that `fn` caught) rejects.
   */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The handle `transaction()` gives to its callback. */
export interface SqlTransaction extends SqlQueryable {
  /**
   * Run a last script (no parameters: values inlined with `sqlLiteral`) and COMMIT, in one round
   * trip, and return the script's results (COMMIT's excluded). Saves the round trip of a COMMIT
   * sent alone. It is the transaction's end: once it resolved the transaction is committed,
   * `transaction()` sends no COMMIT of its own, and the handle refuses further statements — so
   * do nothing after it that can throw (`transaction()` would reject, yet the work is stored).
   * When a statement of the script fails, PostgreSQL skips the rest, COMMIT included; it rejects
   * and `transaction()` rolls back. An empty script is a plain COMMIT.
   */
  commitWith<R = Record<string, unknown>>(script: string): Promise<Array<SqlResult<R>>>;
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
      // Set when the connection's state is unknown after a failure: the pool then drops it.
      let broken: Error | undefined;
      try {
        // idle: nothing sent yet; open: BEGIN sent; ending: COMMIT sent; committed. (`as`: the
        // callbacks below change it, which control-flow narrowing would not see.)
        let state = 'idle' as 'idle' | 'open' | 'ending' | 'committed';
        const usable = (): void => {
          if (state === 'ending' || state === 'committed')
            throw new Error('sql transaction: a statement after commitWith');
        };
        // BEGIN travels with the transaction's first statement when that is a script or exec
        // (one round trip fewer on the audit append path); before a parameterised query, alone.
        // COMMIT travels with the last script when it is sent through commitWith.
        const inner = wrap(client);
        const tx: SqlTransaction = {
          async query(text, params, options) {
            usable();
            if (state === 'idle') {
              state = 'open';
              await client.query('BEGIN');
            }
            return inner.query(text, params, options);
          },
          async exec(text) {
            await tx.script(text);
          },
          async script<R>(text: string) {
            usable();
            if (state === 'open') return inner.script<R>(text);
            state = 'open';
            return (await inner.script<R>(`BEGIN;\n${text}`)).slice(1);
          },
          async commitWith<R>(text: string) {
            usable();
            const begin = state === 'idle' ? 'BEGIN;\n' : '';
            state = 'ending';
            // `;` before COMMIT even after an empty script or one ending in `;`: PostgreSQL
            // skips empty statements.
            const results = asArray(await client.query(`${begin}${text};\nCOMMIT`));
            requireCommitted(results[results.length - 1]);
            state = 'committed';
            return results.slice(begin ? 1 : 0, -1).map((r) => asResult<R>(r));
          },
        };
        try {
          const out = await fn(tx);
          if (state === 'open') {
            state = 'ending';
            requireCommitted(await client.query('COMMIT'));
          }
          return out;
        } catch (err) {
          // After a failed statement PostgreSQL keeps the transaction open (aborted) until
          // ROLLBACK, also when the failure skipped the COMMIT of commitWith's script; when the
          // COMMIT itself failed there is none left, and ROLLBACK only draws a notice.
          if (state === 'open' || state === 'ending') {
            await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
              broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
            });
          }
          throw err;
        }
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

/** PostgreSQL answers COMMIT of a transaction that had an error with ROLLBACK, not an error. */
function requireCommitted(result: pg.QueryResult | undefined): void {
  if (result?.command !== 'COMMIT') {
    throw new Error(
      `sql transaction: COMMIT answered ${result?.command ?? 'nothing'}, nothing stored`,
    );
  }
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
    transaction: (fn) =>
      db.transaction(async (ptx) => {
        let ended = false;
        const inner = wrap(ptx);
        const usable = (): void => {
          if (ended) throw new Error('sql transaction: a statement after commitWith');
        };
        const tx: SqlTransaction = {
          async query(text, params, options) {
            usable();
            return inner.query(text, params, options);
          },
          async exec(text) {
            usable();
            await inner.exec(text);
          },
          async script(text) {
            usable();
            return inner.script(text);
          },
          async commitWith<R>(text: string) {
            usable();
            ended = true;
            // The same COMMIT inside the script as on PostgreSQL, so both fail alike. PGlite's
            // transaction() still sends its own COMMIT (or ROLLBACK) afterwards: outside a
            // transaction that is a no-op with a warning, and costs no round trip in-process.
            const results = await ptx.exec(`${text};\nCOMMIT`);
            const commit = results[results.length - 1];
            if (commit?.command !== 'COMMIT') {
              throw new Error(
                `sql transaction: COMMIT answered ${commit?.command ?? 'nothing'}, nothing stored`,
              );
            }
            return results.slice(0, -1).map((r) => ({
              rows: r.rows as R[],
              rowCount: r.rows.length || (r.affectedRows ?? 0),
            }));
          },
        };
        return fn(tx);
      }),
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
function asArray(result: pg.QueryResult | pg.QueryResult[]): pg.QueryResult[] {
  return Array.isArray(result) ? result : [result];
}

function asResult<R>(r: pg.QueryResult): SqlResult<R> {
  return { rows: r.rows.map(normaliseRow) as R[], rowCount: r.rowCount ?? 0 };
}

function asResults<R>(result: pg.QueryResult | pg.QueryResult[]): Array<SqlResult<R>> {
  return asArray(result).map((r) => asResult<R>(r));
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
