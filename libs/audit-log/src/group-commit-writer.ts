import { clone } from '@bufbuild/protobuf';
import { auditv1 } from '@nethical/contracts';
import { sqlLiteral, type SqlClient } from '@nethical/postgres';
import type { Clock } from './clock';
import { AuditUnavailableError } from './errors';
import { createPartitionSql, partitionFor, tableExists } from './partitions';
import {
  RECORD_COLUMNS,
  insertRecordsSql,
  recordBody,
  recordToInsertJson,
  rowToRecord,
  type RecordRow,
} from './record-row';
import { canonicalLeaf } from './canonical-leaf';
import { microsToIso, microsToTimestamp, msToMicros } from './timestamps';

/** The outcome of one append: the stored record, and whether it was stored before. */
export interface AppendResult {
  record: auditv1.AuditRecord;
  duplicate: boolean;
}

/** Sizing of the group-commit writer. */
export interface GroupCommitOptions {
  sql: SqlClient;
  clock: Clock;
  /** A batch is committed when it holds this many records… */
  batchMaxRecords: number;
  /** …or this many milliseconds after its oldest record arrived, whichever comes first. */
  batchMaxDelayMs: number;
  /** Bound on queued + in-flight records; past it appends fail fast with AuditUnavailableError. */
  queueMaxRecords: number;
  /**
   * Called after every COMMIT with the records it stored, in sequence order (wakes tails, which
   * hand them on without reading them back).
   */
  onCommit: (committed: readonly auditv1.AuditRecord[]) => void;
}

/** A writer that turns many appends into few transactions without acknowledging early. */
export interface GroupCommitWriter {
  /** Queue a normalised record; resolves only after its batch COMMITted. */
  append(record: auditv1.AuditRecord): Promise<AppendResult>;
  /** Records queued or in flight. */
  readonly depth: number;
  /** The error of the last failed batch since the last successful one, if any. */
  readonly lastError: unknown;
  /** Stop taking appends and settle every pending one (commit or reject). */
  close(): Promise<void>;
}

interface Pending {
  record: auditv1.AuditRecord;
  enqueuedAt: number;
  resolve: (result: AppendResult) => void;
  reject: (err: unknown) => void;
}

/** Advisory lock that serialises batch transactions of every audit-store process. */
export const APPEND_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('nethical.audit.append'))";

/**
 * A batch's rows in one statement: the records, their action ids (from the inserted rows) and
 * the sequence counter. Data-modifying CTEs all run in one snapshot. It travels in a script
 * with COMMIT, which takes no parameters, so its values are quoted literals (`sqlLiteral`), each
 * cast as its parameter was (`::jsonb`, `::int8`, `::timestamptz`): the rows are those of the
 * parameterised form (a test compares them). The batch's JSON is sent once; the ids come from
 * RETURNING, not from a second copy of it.
 */
export function appendBatchSql(
  batchJson: string,
  nextSequence: bigint,
  committedIso: string,
): string {
  return `WITH inserted AS (
  ${insertRecordsSql(`${sqlLiteral(batchJson)}::jsonb`)}
  RETURNING action_id, sequence, committed_at
), ids AS (
  INSERT INTO audit_action_ids (action_id, sequence, committed_at)
  SELECT action_id, sequence, committed_at FROM inserted
)
UPDATE audit_sequence SET next_sequence = ${sqlLiteral(nextSequence.toString())}::int8,
  last_committed_at = ${sqlLiteral(committedIso)}::timestamptz`;
}

/**
 * Group commit: appends wait in a bounded queue; one batch at a time is written in a single
 * transaction (advisory lock → read counter → insert → bump counter → COMMIT), and only then are
 * its callers answered. A failed batch rejects all of its callers; none is retried silently, so
 * nothing is ever reported stored that was not, and a retry with the same action id is safe.
 */
export function createGroupCommitWriter(options: GroupCommitOptions): GroupCommitWriter {
  const { sql, clock, batchMaxRecords, batchMaxDelayMs, queueMaxRecords, onCommit } = options;
  const queue: Pending[] = [];
  const knownPartitions = new Set<string>();
  let inFlight = 0;
  let flushing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closing = false;
  let lastError: unknown;

  function schedule(): void {
    if (flushing || queue.length === 0) return;
    const oldest = queue[0]!;
    const wait = oldest.enqueuedAt + batchMaxDelayMs - performance.now();
    if (queue.length >= batchMaxRecords || closing || wait <= 0) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      flushing = flushOnce().finally(() => {
        flushing = undefined;
        schedule();
      });
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = undefined;
        schedule();
      }, wait);
    }
  }

  async function flushOnce(): Promise<void> {
    const batch = queue.splice(0, batchMaxRecords);
    inFlight = batch.length;
    try {
      const results = await writeBatch(batch.map((p) => p.record));
      lastError = undefined;
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (cause) {
      lastError = cause;
      const err = new AuditUnavailableError(
        'audit store: the database did not commit the batch',
        'database',
        { cause },
      );
      for (const p of batch) p.reject(err);
    } finally {
      inFlight = 0;
    }
  }

  async function writeBatch(records: auditv1.AuditRecord[]): Promise<AppendResult[]> {
    // The first occurrence of an action id in the batch is the one stored; later ones are duplicates.
    const firstIndex = new Map<string, number>();
    records.forEach((r, i) => {
      if (!firstIndex.has(r.actionId)) firstIndex.set(r.actionId, i);
    });
    const ids = [...firstIndex.keys()];
    // Compress before taking the lock: the body does not depend on sequence or commit time.
    const bodies = new Map<auditv1.AuditRecord, Uint8Array>();
    for (const i of firstIndex.values()) bodies.set(records[i]!, recordBody(records[i]!));
    const nowUs = msToMicros(clock.now());
    const created: string[] = [];
    const outcome = await sql.transaction(async (tx) => {
      // Two round trips per batch, whatever its size (there were eight, then three): one script
      // of BEGIN, the lock, the counter and the ids already stored, then one of the write and
      // COMMIT (`commitWith`), values inlined as quoted literals in both. Rarely one more: the
      // stored records of duplicates, and the partition check of a new day.
      //
      // `= ANY(ARRAY(subquery))`, not `IN (subquery)`: the planner guesses 100 rows for a
      // set-returning function and, without fresh statistics, hash-joins them against a
      // sequential scan of the whole table; an array is probed through the primary key.
      const [, counter, known] = await tx.script<Record<string, unknown>>(
        `${APPEND_LOCK_SQL};
         SELECT next_sequence, (extract(epoch FROM last_committed_at) * 1000000)::int8 AS last_us
           FROM audit_sequence FOR UPDATE;
         SELECT action_id, sequence, (extract(epoch FROM committed_at) * 1000000)::int8 AS committed_us
           FROM audit_action_ids
          WHERE action_id = ANY(ARRAY(SELECT jsonb_array_elements_text(${sqlLiteral(JSON.stringify(ids))}::jsonb)))`,
      );
      const knownRows = known!.rows as Array<{
        action_id: string;
        sequence: bigint;
        committed_us: bigint;
      }>;
      const existing = new Map<string, auditv1.AuditRecord>();
      if (knownRows.length > 0) {
        const stored = await tx.query<RecordRow>(
          `SELECT ${RECORD_COLUMNS} FROM audit_records WHERE sequence = ANY(ARRAY(
             SELECT (jsonb_array_elements_text($1::jsonb))::int8))`,
          [JSON.stringify(knownRows.map((k) => k.sequence.toString()))],
        );
        for (const row of stored.rows) existing.set(row.action_id, rowToRecord(row));
        for (const k of knownRows) {
          if (existing.has(k.action_id)) continue;
          // Archived out of the live log: still stored, so still a duplicate; answer what is known.
          const stub = clone(auditv1.AuditRecordSchema, records[firstIndex.get(k.action_id)!]!);
          stub.sequence = BigInt(k.sequence);
          stub.committedAt = microsToTimestamp(BigInt(k.committed_us));
          existing.set(k.action_id, stub);
        }
      }
      const row = counter!.rows[0] as { next_sequence: bigint; last_us: bigint | null } | undefined;
      if (!row) throw new Error('audit_sequence has no row');
      let next = BigInt(row.next_sequence);
      // Commit times never go backwards in sequence order, even if clocks of processes differ.
      const lastUs = row.last_us === null ? 0n : BigInt(row.last_us);
      const committedUs = nowUs > lastUs ? nowUs : lastUs;
      const fresh: auditv1.AuditRecord[] = [];
      for (const id of ids) {
        if (existing.has(id)) continue;
        const rec = records[firstIndex.get(id)!]!;
        rec.sequence = next++;
        rec.committedAt = microsToTimestamp(committedUs);
        rec.leaf = canonicalLeaf(rec);
        fresh.push(rec);
      }
      if (fresh.length > 0) {
        const partition = partitionFor(Number(committedUs / 1000n));
        if (!knownPartitions.has(partition.name)) {
          // DDL only when really missing: a least-privilege writer cannot create partitions, and
          // they are normally made ahead by `ensurePartitions` (start-up, maintenance).
          if (!(await tableExists(tx, partition.name)))
            await tx.exec(createPartitionSql(partition));
          created.push(partition.name);
        }
        // Records, their ids and the counter in one statement, sent with COMMIT: nothing that
        // can fail comes after it (an error after COMMIT would reject appends that are stored).
        await tx.commitWith(
          appendBatchSql(
            JSON.stringify(fresh.map((r) => recordToInsertJson(r, bodies.get(r)))),
            next,
            microsToIso(committedUs),
          ),
        );
      }
      // Nothing fresh (all duplicates): nothing written, `transaction()` sends a plain COMMIT.
      return { existing, fresh };
    });
    // Only after COMMIT: a rolled-back CREATE TABLE must not be remembered.
    for (const name of created) knownPartitions.add(name);
    if (outcome.fresh.length > 0) onCommit(outcome.fresh);
    return records.map((rec, i) => {
      const stored = outcome.existing.get(rec.actionId);
      if (stored) return { record: stored, duplicate: true };
      const first = firstIndex.get(rec.actionId)!;
      if (first === i) return { record: rec, duplicate: false };
      return { record: clone(auditv1.AuditRecordSchema, records[first]!), duplicate: true };
    });
  }

  return {
    append(record) {
      if (closing) {
        return Promise.reject(new AuditUnavailableError('audit store is shutting down', 'closed'));
      }
      if (queue.length + inFlight >= queueMaxRecords) {
        return Promise.reject(
          new AuditUnavailableError(
            `audit store is saturated (${queueMaxRecords} appends pending)`,
            'queue_full',
          ),
        );
      }
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ record, enqueuedAt: performance.now(), resolve, reject });
        schedule();
      });
    },
    get depth() {
      return queue.length + inFlight;
    },
    get lastError() {
      return lastError;
    },
    async close() {
      closing = true;
      while (queue.length > 0 || flushing) {
        schedule();
        await flushing;
      }
    },
  };
}
