import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { ActionType, Decision, Severity, type Violation } from '@nethical/contracts';
import type { auditv1, gatewayv1, judgev1, merklev1 } from '@nethical/contracts';

/**
 * The plain-HTTP JSON shapes (snake_case, enum names without prefixes, bytes as base64). Kept
 * explicit rather than derived from proto JSON so the documented public schema cannot drift
 * when a proto field is added.
 */
export const decisionName = (d: Decision): string => Decision[d] ?? 'UNSPECIFIED';
const severityName = (s: Severity): string => Severity[s] ?? 'UNSPECIFIED';
const actionTypeName = (t: ActionType): string => (ActionType[t] ?? 'UNSPECIFIED').toLowerCase();
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const iso = (ts: Timestamp | undefined): string | null =>
  ts ? timestampDate(ts).toISOString() : null;

export function violationJson(v: Violation) {
  return {
    detector: v.detector,
    category: v.category,
    severity: severityName(v.severity),
    confidence: v.confidence,
    evidence: v.evidence.map((e) => ({ start: e.start, end: e.end, excerpt: e.excerpt })),
    reason: v.reason,
    ethical_dimensions: v.ethicalDimensions,
  };
}

export function processActionJson(r: gatewayv1.ProcessActionResponse) {
  return {
    action_id: r.actionId,
    decision: decisionName(r.decision),
    violations: r.violations.map(violationJson),
    risk_score: r.riskScore,
    reasoning: r.reasoning,
    audit: r.audit
      ? {
          sequence: Number(r.audit.sequence),
          committed_at: iso(r.audit.committedAt),
          leaf_hash: b64(r.audit.leafHash),
          replayed: r.audit.replayed,
        }
      : null,
    modified_action: r.modifiedAction || null,
    ethical_dimensions: r.ethicalDimensions,
    primary_dimension: r.primaryDimension || null,
    ml_score: r.mlScore ?? null,
    policy_revision: r.policyRevision,
    detectors_run: r.detectorsRun,
    agent_risk: r.agentRisk,
    escalation_id: r.escalationId || null,
    quota: r.quota
      ? {
          remaining: Number(r.quota.remaining),
          limit: Number(r.quota.limit),
          reset_after_seconds: r.quota.resetAfterSeconds,
        }
      : null,
  };
}

export function auditRecordJson(r: auditv1.AuditRecord) {
  return {
    index: Number(r.sequence),
    sequence: Number(r.sequence),
    action_id: r.actionId,
    agent_id: r.agentId,
    tenant_id: r.tenantId,
    region_id: r.regionId,
    action_type: actionTypeName(r.actionType),
    content: r.content,
    decision: decisionName(r.decision),
    violations: r.violations.map(violationJson),
    risk_score: r.riskScore,
    ml_score: r.mlScore ?? null,
    policy_revision: r.policyRevision,
    model_version: r.modelVersion,
    stage_latency_ms: r.stageLatencyMs,
    trace_id: r.traceId,
    received_at: iso(r.receivedAt),
    committed_at: iso(r.committedAt),
    reasoning: r.reasoning,
    cohort: r.cohort,
    detectors_run: r.detectorsRun,
    request_digest: r.requestDigest,
    leaf: b64(r.leaf),
  };
}

export function inclusionJson(p: merklev1.GetInclusionProofResponse) {
  return {
    index: Number(p.index),
    tree_size: Number(p.treeSize),
    leaf_hash: b64(p.leafHash),
    hashes: p.hashes.map(b64),
  };
}

export function consistencyJson(p: merklev1.GetConsistencyProofResponse) {
  return { first: Number(p.first), second: Number(p.second), hashes: p.hashes.map(b64) };
}

export function quarantineJson(e: judgev1.QuarantineEntry) {
  return {
    agent_id: e.agentId,
    reason: e.reason,
    since: iso(e.since),
    until: iso(e.until),
    source: e.source,
  };
}

export function escalationJson(e: judgev1.Escalation) {
  return {
    escalation_id: e.escalationId,
    action_id: e.actionId,
    agent_id: e.agentId,
    violations: e.violations.map(violationJson),
    redacted_content: e.redactedContent,
    status:
      e.status === 1
        ? 'PENDING'
        : e.status === 2
          ? 'APPROVED'
          : e.status === 3
            ? 'REJECTED'
            : 'UNSPECIFIED',
    created_at: iso(e.createdAt),
    resolved_at: iso(e.resolvedAt),
    resolved_by: e.resolvedBy,
    note: e.note,
  };
}
