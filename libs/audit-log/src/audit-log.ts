import { setTimeout as sleep } from 'node:timers/promises';
import { toJson } from '@bufbuild/protobuf';
import { auditv1 } from '@nethical/contracts';
import { migrate, type SqlClient } from '@nethical/postgres';
import { systemClock, type Clock } from './clock';
import { AuditUnavailableError } from './errors';
import { createGroupCommitWriter, type AppendResult } from './group-commit-writer';
import { ensurePartitions } from './partitions';
import {
  getRecord,
  listRecords,
  readFromSequence,
  type AuditFilter,
  type ListPage,
  type ListRequest,
} from './queries';
import { normaliseIncoming } from './record-row';
import { AUDIT_MIGRATIONS_TABLE, auditMigrations } from './schema';

/** Options of `createAuditLog`; everything but `sql` has a default. */
export interface AuditLogOptions {
  /** The database; the caller owns it (`close()` of the log does not close it). */
  sql: SqlClient;
  /** Source of committed_at. Default: the system clock. */
  clock?: Clock | undefined;
  /** Group commit: most records per transaction. Default 256. */
  batchMaxRecords?: number | undefined;
  /** Group commit: longest wait of a record before its batch is written. Default 5 ms. */
  batchMaxDelayMs?: number | undefined;
  /** Back-pressure: most appends queued or in flight. Default 10,000. */
  queueMaxRecords?: number | undefined;
  /** How often a tail re-reads when no in-process commit woke it (other processes). Default 200 ms. */
  tailPollIntervalMs?: number | undefined;
  /** Records of the latest in-process commits kept for tails that have caught up. Default 4096. */
  tailMemoryRecords?: number | undefined;
  /**
   * Apply migrations at start-up. Default true; false when the process runs as the
   * least-privilege writer and migrations are applied by an administrator (`migrateAuditLog`).
   */
  applyMigrations?: boolean | undefined;
  /** Daily partitions created ahead of today at start-up (skipped when they exist). Default 3. */
  partitionDaysAhead?: number | undefined;
}

/** Options of one tail. */
export interface TailOptions {
  /** Stops the tail (the iterator ends). */
  signal?: AbortSignal | undefined;
  /**
   * Once caught up, wait this long after a commit wakes the tail before reading, so the commits
   * of that window come as one batch (a follower that needs no commit at once, such as the
   * Merkle anchor, then costs one message and one append per window instead of per commit).
   * Default 0: each commit at once.
   */
  lingerMs?: number | undefined;
}

/** The audit trail: append-only, gapless, durable before acknowledged. See DURABILITY.md. */
export interface AuditLog {
  /** Store a judged action. Resolves after COMMIT; a known action id returns the stored record with `duplicate: true`. */
  append(record: auditv1.AuditRecord): Promise<AppendResult>;
  /** The record of an action id, or undefined. */
  get(actionId: string): Promise<auditv1.AuditRecord | undefined>;
  /** Records by agent, time range and decision, with an opaque cursor. */
  list(request: ListRequest): Promise<ListPage>;
  /** Committed records from `fromSequence` on, in order, following new commits until aborted or closed. */
  tail(
    fromSequence: bigint,
    batchSize?: number,
    options?: TailOptions,
  ): AsyncIterable<auditv1.AuditRecord[]>;
  /** Every record matching the filter, one protobuf-JSON object per line (the archive format). */
  exportNdjson(filter: AuditFilter): AsyncIterable<string>;
  /** Component health: the database answers and the writer is not failing. */
  health(): Promise<{ ok: boolean; detail: string }>;
  /** Stop taking appends, commit every pending one, end tails. */
  close(): Promise<void>;
}

/** Apply pending audit migrations (table `audit_migrations`); returns the versions applied. */
export function migrateAuditLog(sql: SqlClient): Promise<number[]> {
  return migrate(sql, AUDIT_MIGRATIONS_TABLE, auditMigrations);
}

/**
 * Open the audit log on a database: apply migrations (`audit_migrations`), create partitions
 * ahead, and start the group-commit writer.
 */
export async function createAuditLog(options: AuditLogOptions): Promise<AuditLog> {
  const { sql } = options;
  const clock = options.clock ?? systemClock;
  const pollMs = options.tailPollIntervalMs ?? 200;
  if (options.applyMigrations ?? true) await migrateAuditLog(sql);
  await sql.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('nethical.audit.append'))");
    await ensurePartitions(tx, clock.now(), options.partitionDaysAhead ?? 3);
  });

  // Wakes tails after an in-process commit; other processes' commits are found by polling.
  let wakers: Array<(committed: boolean) => void> = [];
  // The records this process committed last, contiguous in sequence: tails that have caught up
  // take them from here instead of reading them back (two queries per commit fewer).
  const recent: auditv1.AuditRecord[] = [];
  const recentMax = options.tailMemoryRecords ?? 4096;
  const onCommit = (committed: readonly auditv1.AuditRecord[]): void => {
    const last = recent[recent.length - 1];
    if (!last || committed[0]!.sequence !== last.sequence + 1n) recent.length = 0;
    recent.push(...committed);
    if (recent.length > recentMax) recent.splice(0, recent.length - recentMax);
    const now = wakers;
    wakers = [];
    for (const w of now) w(true);
  };
  /** Records from `from` on held in memory; undefined when `from` is not among them. */
  const fromMemory = (from: bigint, limit: number): auditv1.AuditRecord[] | undefined => {
    const first = recent[0];
    if (!first || from < first.sequence || from > first.sequence + BigInt(recent.length))
      return undefined;
    const start = Number(from - first.sequence);
    return recent.slice(start, start + limit);
  };
  let closed = false;
  const closeController = new AbortController();

  const writer = createGroupCommitWriter({
    sql,
    clock,
    batchMaxRecords: options.batchMaxRecords ?? 256,
    batchMaxDelayMs: options.batchMaxDelayMs ?? 5,
    queueMaxRecords: options.queueMaxRecords ?? 10_000,
    onCommit,
  });

  /** Resolves true when woken by an in-process commit, false on the poll timer or abort. */
  function waitForCommit(signal: AbortSignal | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (committed: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        closeController.signal.removeEventListener('abort', aborted);
        resolve(committed);
      };
      const aborted = (): void => done(false);
      const timer = setTimeout(aborted, pollMs);
      wakers.push(done);
      signal?.addEventListener('abort', aborted, { once: true });
      closeController.signal.addEventListener('abort', aborted, { once: true });
    });
  }

  async function* tail(fromSequence: bigint, batchSize = 256, tailOptions: TailOptions = {}) {
    const { signal } = tailOptions;
    const lingerMs = tailOptions.lingerMs ?? 0;
    // Ends a linger early (no error) when the tail is aborted or the log closes.
    const stopLinger =
      signal && lingerMs > 0
        ? AbortSignal.any([signal, closeController.signal])
        : closeController.signal;
    let next = fromSequence;
    // After a poll (no in-process commit for a while) the database is read: another process
    // may have committed past what this one holds.
    let readDatabase = true;
    while (!closed && !signal?.aborted) {
      const held = readDatabase ? undefined : fromMemory(next, batchSize);
      const records = held ?? (await readFromSequence(sql, next, batchSize));
      readDatabase = false;
      const first = records[0];
      if (first && first.sequence !== next) {
        // Commits become visible in sequence order, so a hole can only be an archived prefix.
        throw new Error(
          `audit tail: sequence ${next} is not in the live log (first live is ${first.sequence})`,
        );
      }
      if (records.length > 0) {
        next = records[records.length - 1]!.sequence + 1n;
        yield records;
        continue;
      }
      const woken = await waitForCommit(signal);
      readDatabase = !woken;
      if (woken && lingerMs > 0)
        await sleep(lingerMs, undefined, { signal: stopLinger }).catch(() => undefined);
    }
  }

  async function* exportNdjson(filter: AuditFilter) {
    let pageToken = '';
    do {
      const page = await listRecords(sql, { ...filter, pageSize: 1000, pageToken });
      for (const r of page.records)
        yield `${JSON.stringify(toJson(auditv1.AuditRecordSchema, r))}\n`;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  return {
    async append(record) {
      if (closed) throw new AuditUnavailableError('audit store is shutting down', 'closed');
      return writer.append(normaliseIncoming(record));
    },
    get: (actionId) => getRecord(sql, actionId),
    list: (request) => listRecords(sql, request),
    tail,
    exportNdjson,
    async health() {
      try {
        await sql.query('SELECT 1');
      } catch (err) {
        return { ok: false, detail: `database: ${(err as Error).message}` };
      }
      if (writer.lastError) {
        return { ok: false, detail: `last batch failed: ${(writer.lastError as Error).message}` };
      }
      return { ok: !closed, detail: closed ? 'closed' : `queue depth ${writer.depth}` };
    },
    async close() {
      closed = true;
      await writer.close();
      closeController.abort();
    },
  };
}
