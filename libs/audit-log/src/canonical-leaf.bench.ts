import { hashLeaf } from '@nethical/merkle';
import { bench, describe } from 'vitest';
import { canonicalLeaf } from './canonical-leaf';
import { recordBody, rowToRecord, type RecordRow } from './record-row';
import { sampleRecord } from './test-support';
import { microsToTimestamp, msToMicros } from './timestamps';

// The per-record CPU cost of the append path and of a full audit: canonical leaf + SHA-256,
// and rebuilding a record from a row. Figures are noisy on a shared machine.
const record = sampleRecord(1, {
  sequence: 12345n,
  committedAt: microsToTimestamp(msToMicros(Date.UTC(2026, 10, 27))),
});
const asRow: RecordRow = {
  sequence: 12345n,
  action_id: record.actionId,
  agent_id: record.agentId,
  tenant_id: record.tenantId,
  region_id: record.regionId,
  action_type: record.actionType,
  content: null,
  decision: record.decision,
  violations: null,
  risk_score: record.riskScore,
  ml_score: record.mlScore ?? null,
  policy_revision: record.policyRevision,
  model_version: record.modelVersion,
  stage_latency_ms: null,
  trace_id: record.traceId,
  reasoning: null,
  cohort: record.cohort,
  detectors_run: null,
  body: recordBody(record),
  received_us: 1_790_000_001_123_456n,
  committed_us: msToMicros(Date.UTC(2026, 10, 27)),
};

describe('canonical leaf', () => {
  bench('canonicalLeaf + hashLeaf', () => {
    hashLeaf(canonicalLeaf(record));
  });
  bench('recordBody (compress the nine body fields)', () => {
    recordBody(record);
  });
  bench('rowToRecord (decompresses the body, includes the leaf)', () => {
    rowToRecord(asRow);
  });
});
