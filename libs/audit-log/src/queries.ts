import { Decision, type auditv1 } from '@nethical/contracts';
import type { SqlQueryable } from '@nethical/postgres';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { AuditInvalidRecordError } from './errors';
import { decodePageToken, encodePageToken, filterDigest } from './page-token';
import { RECORD_COLUMNS, rowToRecord, type RecordRow } from './record-row';
import { microsToIso, timestampToMicros } from './timestamps';

/** Which records `list` and `exportNdjson` return. Every field is optional. */
export interface AuditFilter {
  agentId?: string | undefined;
  /** Inclusive lower bound on committed_at. */
  since?: Timestamp | undefined;
  /** Exclusive upper bound on committed_at. */
  until?: Timestamp | undefined;
  /** DECISION_UNSPECIFIED (0) or absent means any decision. */
  decision?: Decision | undefined;
}

/** A page request: a filter plus cursor paging. */
export interface ListRequest extends AuditFilter {
  /** 1..1000, default 100. */
  pageSize?: number | undefined;
  /** Token from the previous page's `nextPageToken`; empty for the first page. */
  pageToken?: string | undefined;
}

/** One page of records in (committed_at, sequence) order; `nextPageToken` is '' on the last. */
export interface ListPage {
  records: auditv1.AuditRecord[];
  nextPageToken: string;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** The stored record of an action id, or undefined (never stored, or archived out of the live log). */
export async function getRecord(
  q: SqlQueryable,
  actionId: string,
): Promise<auditv1.AuditRecord | undefined> {
  // One round trip: the action id's primary-key probe runs first (an InitPlan) and its commit
  // time prunes audit_records to one partition at execution time, where the primary key is
  // probed; prepared, so the partitioned plan is not re-planned per call.
  const { rows } = await q.query<RecordRow>(
    `SELECT ${RECORD_COLUMNS} FROM audit_records WHERE (sequence, committed_at) =
       (SELECT sequence, committed_at FROM audit_action_ids WHERE action_id = $1)`,
    [actionId],
    { prepare: true },
  );
  return rows[0] ? rowToRecord(rows[0]) : undefined;
}

/** Records by agent / time range / decision with cursor paging. */
export async function listRecords(q: SqlQueryable, request: ListRequest): Promise<ListPage> {
  const pageSize = request.pageSize || DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new AuditInvalidRecordError('page_size', `must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  const filter = {
    agentId: request.agentId || '',
    since: request.since ? timestampToMicros(request.since).toString() : '',
    until: request.until ? timestampToMicros(request.until).toString() : '',
    decision: request.decision ?? 0,
  };
  if (!Number.isInteger(filter.decision) || filter.decision < 0 || filter.decision > 1000) {
    throw new AuditInvalidRecordError('decision', 'must be a Decision value');
  }
  const digest = filterDigest(filter);
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  // Index choice (migration 2): by agent → (agent_id, committed_at, sequence); by a decision
  // other than ALLOW → the partial (decision, committed_at, sequence) index, which needs the
  // decision as a literal (a parameter cannot prove the index predicate in a generic plan);
  // otherwise → the primary key in sequence order, which is (committed_at, sequence) order
  // because commit times never go backwards in sequence order (DURABILITY.md #10).
  const bySequence = !filter.agentId && (!filter.decision || filter.decision === Decision.ALLOW);
  if (filter.agentId) where.push(`agent_id = ${param(filter.agentId)}`);
  if (filter.decision) where.push(`decision = ${filter.decision}`);
  if (request.since)
    where.push(`committed_at >= ${param(microsToIso(BigInt(filter.since)))}::timestamptz`);
  if (request.until)
    where.push(`committed_at < ${param(microsToIso(BigInt(filter.until)))}::timestamptz`);
  if (request.pageToken) {
    const cursor = decodePageToken(request.pageToken, digest);
    const at = `${param(microsToIso(cursor.committedUs))}::timestamptz`;
    const seq = `${param(cursor.sequence.toString())}::int8`;
    // In sequence order `sequence > s` is the cursor; `committed_at >= t` only prunes partitions.
    where.push(
      bySequence
        ? `sequence > ${seq} AND committed_at >= ${at}`
        : `(committed_at, sequence) > (${at}, ${seq})`,
    );
  }
  const sql = `SELECT ${RECORD_COLUMNS} FROM audit_records
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${bySequence ? 'sequence' : 'committed_at, sequence'} LIMIT ${param(pageSize + 1)}`;
  // One statement text per filter shape, so preparing it pays off on repeated pages and agents.
  const { rows } = await q.query<RecordRow>(sql, params, { prepare: true });
  const more = rows.length > pageSize;
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    records: page.map(rowToRecord),
    nextPageToken:
      more && last
        ? encodePageToken(
            { committedUs: BigInt(last.committed_us), sequence: BigInt(last.sequence) },
            digest,
          )
        : '',
  };
}

/** Up to `limit` records with sequence ≥ `from`, in sequence order. */
export async function readFromSequence(
  q: SqlQueryable,
  from: bigint,
  limit: number,
): Promise<auditv1.AuditRecord[]> {
  const { rows } = await q.query<RecordRow>(
    `SELECT ${RECORD_COLUMNS} FROM audit_records WHERE sequence >= $1 ORDER BY sequence LIMIT $2`,
    [from.toString(), limit],
  );
  return rows.map(rowToRecord);
}
