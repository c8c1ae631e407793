import type { SqlClient } from '@nethical/postgres';

/**
 * A real database with a hand on its transactions: it can hold a batch just before COMMIT, or
 * make the next COMMIT fail (the transaction really rolls back). Not a stand-in for the
 * database — every statement still runs on PGlite or PostgreSQL.
 */
export interface GatedSql {
  sql: SqlClient;
  /** Transactions started so far. */
  readonly transactions: number;
  /** Hold every transaction after its statements ran, before COMMIT, until `release()`. */
  hold(): void;
  release(): void;
  /** Resolves when a held transaction has run all its statements and waits to commit. */
  reachedCommit(): Promise<void>;
  /** Make the next transaction throw after its statements ran (so it rolls back). */
  failNextCommit(): void;
}

export function gateSql(inner: SqlClient): GatedSql {
  let transactions = 0;
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const reached: Array<() => void> = [];
  let failNext = false;
  const sql: SqlClient = {
    kind: inner.kind,
    query: (text, params) => inner.query(text, params),
    exec: (text) => inner.exec(text),
    script: (text) => inner.script(text),
    close: () => inner.close(),
    transaction: (fn) =>
      inner.transaction(async (tx) => {
        transactions++;
        const out = await fn(tx);
        if (failNext) {
          failNext = false;
          throw new Error('injected: connection lost before COMMIT');
        }
        if (gate) {
          for (const r of reached.splice(0)) r();
          await gate;
        }
        return out;
      }),
  };
  return {
    sql,
    get transactions() {
      return transactions;
    },
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = undefined;
      open?.();
    },
    reachedCommit: () => new Promise((resolve) => reached.push(resolve)),
    failNextCommit() {
      failNext = true;
    },
  };
}
