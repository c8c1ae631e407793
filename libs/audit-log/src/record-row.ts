import { clone, create } from '@bufbuild/protobuf';
import { auditv1, EvidenceSpanSchema, ViolationSchema } from '@nethical/contracts';
import { AuditInvalidRecordError } from './errors';
import { canonicalLeaf, canonicalViolations, type CanonicalViolation } from './canonical-leaf';
import { decodeRecordBody, encodeRecordBody, type RecordBody } from './record-body';
import { microsToIso, microsToTimestamp, timestampToMicros } from './timestamps';

/**
 * Mapping between `auditv1.AuditRecord` messages and `audit_records` rows. Reading always goes
 * through `RECORD_COLUMNS` so that times come back as exact microseconds (a JS Date would cut
 * them to milliseconds) and the leaf is recomputed from the columns.
 *
 * Since migration 2 new rows keep content, violations, reasoning, stage latencies, detectors
 * run, trace id, policy revision, model version and cohort in the compressed `body`
 * (record-body.ts) and leave those nine columns NULL; rows written before keep the columns. Reading takes a column when it is not NULL and the body
 * otherwise, so every stored byte still feeds the recomputed leaf: editing either place of a
 * row changes its leaf and is caught by the full audit.
 */

/** SELECT list for one audit record (alias-free: use on `audit_records` directly). */
export const RECORD_COLUMNS = `sequence, action_id, agent_id, tenant_id, region_id, action_type, content,
  decision, violations, risk_score, ml_score, policy_revision, model_version, stage_latency_ms,
  trace_id, (extract(epoch FROM received_at) * 1000000)::int8 AS received_us,
  (extract(epoch FROM committed_at) * 1000000)::int8 AS committed_us, reasoning, cohort, detectors_run,
  body`;

/** One row as read with `RECORD_COLUMNS`. */
export interface RecordRow {
  sequence: bigint;
  action_id: string;
  agent_id: string;
  tenant_id: string;
  region_id: string;
  action_type: number;
  content: string | null;
  decision: number;
  violations: CanonicalViolation[] | null;
  risk_score: number;
  ml_score: number | null;
  policy_revision: string | null;
  model_version: string | null;
  stage_latency_ms: Record<string, number> | null;
  trace_id: string | null;
  received_us: bigint | null;
  committed_us: bigint;
  reasoning: string | null;
  cohort: string | null;
  detectors_run: string[] | null;
  /** The compressed fields of migration 2 rows (see record-body.ts). */
  body: Uint8Array | null;
}

/** The body fields of a row: each from its column when set, else from `body`. */
function rowBody(row: RecordRow): RecordBody {
  const fromBody = row.body ? decodeRecordBody(row.body) : undefined;
  const pick = <T>(column: T | null, field: keyof RecordBody): T => {
    if (column !== null) return column;
    if (!fromBody) throw new Error(`audit record ${row.sequence}: no ${field} and no body`);
    return fromBody[field] as T;
  };
  return {
    content: pick(row.content, 'content'),
    violations: pick(row.violations, 'violations'),
    reasoning: pick(row.reasoning, 'reasoning'),
    stageLatencyMs: pick(row.stage_latency_ms, 'stageLatencyMs'),
    detectorsRun: pick(row.detectors_run, 'detectorsRun'),
    traceId: pick(row.trace_id, 'traceId'),
    policyRevision: pick(row.policy_revision, 'policyRevision'),
    modelVersion: pick(row.model_version, 'modelVersion'),
    cohort: pick(row.cohort, 'cohort'),
    // Only in bodies: rows that keep their columns predate the digest.
    requestDigest: fromBody?.requestDigest ?? '',
  };
}

/** Rebuild the record of a row, with `leaf` recomputed from the columns. */
export function rowToRecord(row: RecordRow): auditv1.AuditRecord {
  const body = rowBody(row);
  const record = create(auditv1.AuditRecordSchema, {
    sequence: BigInt(row.sequence),
    actionId: row.action_id,
    agentId: row.agent_id,
    tenantId: row.tenant_id,
    regionId: row.region_id,
    actionType: row.action_type,
    content: body.content,
    decision: row.decision,
    violations: body.violations.map((v) =>
      create(ViolationSchema, {
        detector: v.detector,
        category: v.category,
        severity: v.severity,
        confidence: v.confidence,
        evidence: v.evidence.map((e) => create(EvidenceSpanSchema, e)),
        reason: v.reason,
        ethicalDimensions: v.ethical_dimensions,
      }),
    ),
    riskScore: row.risk_score,
    policyRevision: body.policyRevision,
    modelVersion: body.modelVersion,
    stageLatencyMs: body.stageLatencyMs,
    traceId: body.traceId,
    committedAt: microsToTimestamp(BigInt(row.committed_us)),
    reasoning: body.reasoning,
    cohort: body.cohort,
    detectorsRun: body.detectorsRun,
    requestDigest: body.requestDigest,
  });
  if (row.ml_score !== null) record.mlScore = row.ml_score;
  if (row.received_us !== null) record.receivedAt = microsToTimestamp(BigInt(row.received_us));
  record.leaf = canonicalLeaf(record);
  return record;
}

/** The compressed `body` of a record (see record-body.ts). Independent of sequence and time. */
export function recordBody(record: auditv1.AuditRecord): Uint8Array {
  return encodeRecordBody({
    content: record.content,
    violations: canonicalViolations(record),
    reasoning: record.reasoning,
    stageLatencyMs: record.stageLatencyMs,
    detectorsRun: record.detectorsRun,
    traceId: record.traceId,
    policyRevision: record.policyRevision,
    modelVersion: record.modelVersion,
    cohort: record.cohort,
    requestDigest: record.requestDigest,
  });
}

/**
 * The JSON object inserted through `jsonb_to_recordset` (see `insertRecordsSql`). `body` is
 * `recordBody(record)`, passed in so it can be computed before the writer takes its lock.
 */
export function recordToInsertJson(
  record: auditv1.AuditRecord,
  body: Uint8Array = recordBody(record),
): Record<string, unknown> {
  return {
    sequence: record.sequence.toString(),
    action_id: record.actionId,
    agent_id: record.agentId,
    tenant_id: record.tenantId,
    region_id: record.regionId,
    action_type: record.actionType,
    decision: record.decision,
    risk_score: record.riskScore,
    ml_score: record.mlScore ?? null,
    received_at: record.receivedAt ? microsToIso(timestampToMicros(record.receivedAt)) : null,
    committed_at: microsToIso(timestampToMicros(record.committedAt!)),
    body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
  };
}

/**
 * Insert a batch given as one jsonb array of `recordToInsertJson` objects: a single statement
 * whatever the batch size, and the same SQL on pg and PGlite (no driver-specific array
 * encoding). The body travels as base64 inside the JSON. `batch` is the SQL of that array:
 * a parameter (`$1::jsonb`) or an inlined literal (`${sqlLiteral(json)}::jsonb`).
 */
export function insertRecordsSql(batch: string): string {
  return `INSERT INTO audit_records (sequence, action_id, agent_id, tenant_id,
  region_id, action_type, decision, risk_score, ml_score, received_at, committed_at, body)
SELECT sequence, action_id, agent_id, tenant_id, region_id, action_type, decision, risk_score,
  ml_score, received_at, committed_at, decode(body, 'base64')
FROM jsonb_to_recordset(${batch}) AS x(sequence bigint, action_id text, agent_id text, tenant_id text,
  region_id text, action_type smallint, decision smallint, risk_score double precision,
  ml_score double precision, received_at timestamptz, committed_at timestamptz, body text)`;
}

const MAX_ID_LENGTH = 256;

/**
 * Check a record before it is queued, and return a copy with the fields the store assigns
 * cleared and `received_at` truncated to microseconds. Rejects what PostgreSQL or the canonical
 * leaf cannot hold exactly: NUL characters in text, non-finite numbers, empty ids.
 */
export function normaliseIncoming(input: auditv1.AuditRecord): auditv1.AuditRecord {
  const record = clone(auditv1.AuditRecordSchema, input);
  record.sequence = 0n;
  record.committedAt = undefined;
  record.leaf = new Uint8Array(0);
  if (record.receivedAt)
    record.receivedAt = microsToTimestamp(timestampToMicros(record.receivedAt));
  requireId('action_id', record.actionId);
  requireId('agent_id', record.agentId);
  const texts: Array<[string, string]> = [
    ['action_id', record.actionId],
    ['agent_id', record.agentId],
    ['tenant_id', record.tenantId],
    ['region_id', record.regionId],
    ['content', record.content],
    ['policy_revision', record.policyRevision],
    ['model_version', record.modelVersion],
    ['trace_id', record.traceId],
    ['reasoning', record.reasoning],
    ['cohort', record.cohort],
    ...record.detectorsRun.map((d, i): [string, string] => [`detectors_run[${i}]`, d]),
  ];
  record.violations.forEach((v, i) => {
    const at = `violations[${i}]`;
    texts.push(
      [`${at}.detector`, v.detector],
      [`${at}.category`, v.category],
      [`${at}.reason`, v.reason],
    );
    v.evidence.forEach((e, j) => texts.push([`${at}.evidence[${j}].excerpt`, e.excerpt]));
    v.ethicalDimensions.forEach((d, j) => texts.push([`${at}.ethical_dimensions[${j}]`, d]));
    requireFinite(`${at}.confidence`, v.confidence);
  });
  for (const [field, text] of texts) {
    if (text.includes('\u0000')) throw new AuditInvalidRecordError(field, 'must not contain NUL');
  }
  if (record.requestDigest !== '' && !/^[0-9a-f]{64}$/.test(record.requestDigest)) {
    throw new AuditInvalidRecordError(
      'request_digest',
      'must be 64 lower-case hex characters (SHA-256) or empty',
    );
  }
  requireFinite('risk_score', record.riskScore);
  if (record.mlScore !== undefined) requireFinite('ml_score', record.mlScore);
  for (const [stage, ms] of Object.entries(record.stageLatencyMs)) {
    requireFinite(`stage_latency_ms[${stage}]`, ms);
  }
  return record;
}

function requireId(field: string, value: string): void {
  if (value.length === 0) throw new AuditInvalidRecordError(field, 'is required');
  if (value.length > MAX_ID_LENGTH) {
    throw new AuditInvalidRecordError(field, `must be at most ${MAX_ID_LENGTH} characters`);
  }
}

function requireFinite(field: string, value: number): void {
  if (!Number.isFinite(value)) throw new AuditInvalidRecordError(field, 'must be a finite number');
}
