import type { auditv1 } from '@nethical/contracts';
import canonicalize from 'canonicalize';
import { microsToIso, timestampToMicros } from './timestamps';

/**
 * Canonical leaf serialization: the exact bytes hashed into the Merkle tree for one audit record.
 *
 * The leaf is the UTF-8 encoding of a JSON object serialised by RFC 8785 (JSON Canonicalization
 * Scheme: keys sorted by UTF-16 code units, no whitespace, numbers in ECMAScript shortest
 * round-trip form, strings with minimal escaping), via the `canonicalize` package. The object
 * has exactly these members (snake_case, as in the proto), all always present:
 *
 * | key | value |
 * | --- | --- |
 * | `format` | the string `nethical.audit.leaf.v1` (bumped if this table ever changes) |
 * | `sequence` | decimal string of the uint64 sequence (JSON numbers cannot carry 64 bits) |
 * | `action_id`, `agent_id`, `tenant_id`, `region_id`, `content`, `policy_revision`, `model_version`, `trace_id`, `reasoning`, `cohort` | strings |
 * | `action_type`, `decision` | enum numbers from nethical.common.v1 |
 * | `violations` | array, in stored order, of `{detector, category, severity (number), confidence, evidence: [{start, end, excerpt}], reason, ethical_dimensions: [string]}` |
 * | `risk_score` | number; `ml_score` number or `null` when absent |
 * | `stage_latency_ms` | object of stage name → number |
 * | `received_at` | RFC 3339 UTC with 6 fractional digits, or `null` when absent |
 * | `committed_at` | RFC 3339 UTC with 6 fractional digits |
 * | `detectors_run` | array of strings, in stored order |
 *
 * `leaf` itself is excluded. Times are truncated to microseconds (what PostgreSQL stores);
 * numbers must be finite; `-0` serialises as `0`.
 */
export const LEAF_FORMAT = 'nethical.audit.leaf.v1';

/** The JSON value of one violation inside the leaf (and inside the `violations` column). */
export interface CanonicalViolation {
  detector: string;
  category: string;
  severity: number;
  confidence: number;
  evidence: Array<{ start: number; end: number; excerpt: string }>;
  reason: string;
  ethical_dimensions: string[];
}

/** The violations of a record in their canonical JSON form. */
export function canonicalViolations(record: auditv1.AuditRecord): CanonicalViolation[] {
  return record.violations.map((v) => ({
    detector: v.detector,
    category: v.category,
    severity: v.severity,
    confidence: v.confidence,
    evidence: v.evidence.map((e) => ({ start: e.start, end: e.end, excerpt: e.excerpt })),
    reason: v.reason,
    ethical_dimensions: [...v.ethicalDimensions],
  }));
}

/** The object that is canonicalised into the leaf. Exposed for verifiers and tests. */
export function leafObject(record: auditv1.AuditRecord): Record<string, unknown> {
  if (!record.committedAt) throw new Error('canonical leaf needs committed_at');
  return {
    format: LEAF_FORMAT,
    sequence: record.sequence.toString(),
    action_id: record.actionId,
    agent_id: record.agentId,
    tenant_id: record.tenantId,
    region_id: record.regionId,
    action_type: record.actionType,
    content: record.content,
    decision: record.decision,
    violations: canonicalViolations(record),
    risk_score: record.riskScore,
    ml_score: record.mlScore ?? null,
    policy_revision: record.policyRevision,
    model_version: record.modelVersion,
    stage_latency_ms: { ...record.stageLatencyMs },
    trace_id: record.traceId,
    received_at: record.receivedAt ? microsToIso(timestampToMicros(record.receivedAt)) : null,
    committed_at: microsToIso(timestampToMicros(record.committedAt)),
    reasoning: record.reasoning,
    cohort: record.cohort,
    detectors_run: [...record.detectorsRun],
  };
}

const encoder = new TextEncoder();

/** The canonical leaf bytes of a committed record (ignores `record.leaf`). */
export function canonicalLeaf(record: auditv1.AuditRecord): Uint8Array {
  const text = canonicalize(leafObject(record));
  if (text === undefined) throw new Error('record cannot be canonicalised');
  return encoder.encode(text);
}
