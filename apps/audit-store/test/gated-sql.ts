import type { SqlClient, SqlTransaction } from '@nethical/postgres';

/**
 * A real database with a hand on its transactions: it can hold a batch just before COMMIT, or
 * make the next transaction fail before COMMIT (the transaction really rolls back). Not a
 * stand-in for the database — every statement still runs on PGlite or PostgreSQL.
 *
 * COMMIT travels either alone after the callback (sent by `transaction()`) or at the end of the
 * callback's last script (`tx.commitWith`). The gate sits in both places: a held `commitWith`
 * runs its script first, waits, then sends the COMMIT alone. A COMMIT sent any other way would
 * slip past the gate, so it is refused.
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
  /**
   * Make the next transaction fail after its statements ran, so it rolls back: inside the
   * round trip that carries COMMIT when it ends with `commitWith` (the server skips the COMMIT),
   * else by throwing from the callback.
   */
  failNextCommit(): void;
}

/** Runs last in a final script: PostgreSQL then skips the COMMIT after it. */
const INJECTED_FAILURE = `DO $$ BEGIN RAISE EXCEPTION 'injected: failure before COMMIT'; END $$`;

/** A COMMIT (or its synonym END) as a statement of its own. */
const COMMIT_STATEMENT = /(?:^|;)\s*(?:COMMIT|END)\s*(?:;|$)/i;

function refuseCommit(text: string): void {
  if (COMMIT_STATEMENT.test(text)) {
    throw new Error('gated-sql: a COMMIT outside commitWith would bypass the gate');
  }
}

export function gateSql(inner: SqlClient): GatedSql {
  let transactions = 0;
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const reached: Array<() => void> = [];
  let failNext = false;
  /** Where COMMIT is about to be sent: wait while held. */
  async function beforeCommit(): Promise<void> {
    if (gate) {
      for (const r of reached.splice(0)) r();
      await gate;
    }
  }
  const takeFailure = (): boolean => {
    const fail = failNext;
    failNext = false;
    return fail;
  };
  const sql: SqlClient = {
    kind: inner.kind,
    query: (text, params) => inner.query(text, params),
    exec: (text) => inner.exec(text),
    script: (text) => inner.script(text),
    close: () => inner.close(),
    transaction: (fn) =>
      inner.transaction(async (tx) => {
        transactions++;
        let ended = false;
        const gated: SqlTransaction = {
          query: async (text, params, options) => (
            refuseCommit(text),
            tx.query(text, params, options)
          ),
          exec: async (text) => (refuseCommit(text), tx.exec(text)),
          script: async (text) => (refuseCommit(text), tx.script(text)),
          async commitWith<R>(script: string) {
            refuseCommit(script);
            ended = true;
            if (takeFailure()) return tx.commitWith<R>(`${script};\n${INJECTED_FAILURE}`);
            const results = await tx.script<R>(script);
            await beforeCommit();
            await tx.commitWith('');
            return results;
          },
        };
        const out = await fn(gated);
        if (!ended) {
          if (takeFailure()) throw new Error('injected: connection lost before COMMIT');
          await beforeCommit();
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
