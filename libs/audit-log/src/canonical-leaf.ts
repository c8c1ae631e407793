import type { auditv1 } from '@nethical/contracts';
import { microsToIso, timestampToMicros } from './timestamps';

/**
 * Canonical leaf serialization: the exact bytes hashed into the Merkle tree for one audit record.
 *
 * The leaf is the UTF-8 encoding of a JSON object serialised by RFC 8785 (JSON Canonicalization
 * Scheme: keys sorted by UTF-16 code units, no whitespace, numbers in ECMAScript shortest
 * round-trip form, strings with minimal escaping): the `canonicalize` package's output for
 * `leafObject`, produced by `canonicalLeafText` without the generic walk. The object
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
 * Format `nethical.audit.leaf.v2` is v1 plus one member, `request_digest` (string: the hex
 * HMAC-SHA256 of the request the decision was made for, under the gateway's key). A record carries it when its
 * `request_digest` is set, and v1 otherwise. Records written before the digest existed keep
 * their v1 leaves byte for byte.
 *
 * `leaf` itself is excluded. Times are truncated to microseconds (what PostgreSQL stores);
 * numbers must be finite; `-0` serialises as `0`.
 */
export const LEAF_FORMAT = 'nethical.audit.leaf.v1';
/** The leaf format of records that carry a `request_digest`. */
export const LEAF_FORMAT_V2 = 'nethical.audit.leaf.v2';

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
    format: record.requestDigest ? LEAF_FORMAT_V2 : LEAF_FORMAT,
    ...(record.requestDigest ? { request_digest: record.requestDigest } : {}),
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
  return encoder.encode(canonicalLeafText(record));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function str(value: string): string {
  // RFC 8785 strings are JSON.stringify's; like `canonicalize` 4, refuse lone surrogates.
  if (LONE_SURROGATE.test(value)) throw new Error('Lone surrogate is not allowed');
  return JSON.stringify(value);
}

function num(value: number): string {
  if (Number.isNaN(value)) throw new Error('NaN is not allowed');
  if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
  // ECMAScript shortest round-trip form, `-0` as `0`: what RFC 8785 prescribes.
  return JSON.stringify(value);
}

function strings(values: readonly string[]): string {
  return `[${values.map(str).join(',')}]`;
}

function numberMap(map: Readonly<Record<string, number>>): string {
  const keys = Object.keys(map).sort();
  return `{${keys.map((k) => `${str(k)}:${num(map[k]!)}`).join(',')}}`;
}

/**
 * The canonical leaf text of a record: the same string as RFC 8785 over `leafObject(record)`
 * (the `canonicalize` package; canonical-leaf.test.ts checks both agree on generated records),
 * written out for this one shape with its keys already in sorted order. Hand-written because it
 * is on every append, read and audit: about 3× faster than the generic serialiser.
 */
export function canonicalLeafText(record: auditv1.AuditRecord): string {
  if (!record.committedAt) throw new Error('canonical leaf needs committed_at');
  const violations = record.violations.map(
    (v) =>
      `{"category":${str(v.category)},"confidence":${num(v.confidence)},"detector":${str(v.detector)}` +
      `,"ethical_dimensions":${strings(v.ethicalDimensions)},"evidence":[${v.evidence
        .map((e) => `{"end":${num(e.end)},"excerpt":${str(e.excerpt)},"start":${num(e.start)}}`)
        .join(',')}],"reason":${str(v.reason)},"severity":${num(v.severity)}}`,
  );
  const receivedAt = record.receivedAt
    ? str(microsToIso(timestampToMicros(record.receivedAt)))
    : 'null';
  return (
    `{"action_id":${str(record.actionId)},"action_type":${num(record.actionType)}` +
    `,"agent_id":${str(record.agentId)},"cohort":${str(record.cohort)}` +
    `,"committed_at":${str(microsToIso(timestampToMicros(record.committedAt)))}` +
    `,"content":${str(record.content)},"decision":${num(record.decision)}` +
    `,"detectors_run":${strings(record.detectorsRun)}` +
    `,"format":${str(record.requestDigest ? LEAF_FORMAT_V2 : LEAF_FORMAT)}` +
    `,"ml_score":${record.mlScore === undefined ? 'null' : num(record.mlScore)}` +
    `,"model_version":${str(record.modelVersion)},"policy_revision":${str(record.policyRevision)}` +
    `,"reasoning":${str(record.reasoning)},"received_at":${receivedAt}` +
    `,"region_id":${str(record.regionId)}` +
    (record.requestDigest ? `,"request_digest":${str(record.requestDigest)}` : '') +
    `,"risk_score":${num(record.riskScore)}` +
    `,"sequence":${str(record.sequence.toString())}` +
    `,"stage_latency_ms":${numberMap(record.stageLatencyMs)}` +
    `,"tenant_id":${str(record.tenantId)},"trace_id":${str(record.traceId)}` +
    `,"violations":[${violations.join(',')}]}`
  );
}
