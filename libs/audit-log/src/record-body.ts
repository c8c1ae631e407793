import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { CanonicalViolation } from './canonical-leaf';

/**
 * The `body` column of `audit_records` (migration 2): the fields of a record that no query
 * filters on — content, violations, reasoning, stage latencies, detectors run, trace id, policy
 * revision, model version, cohort — in one compressed value. PostgreSQL only compresses values of rows over ~2 KB (TOAST; lowering
 * `toast_tuple_target` does not start it earlier), and most records are smaller, so the store
 * compresses them itself; the same bytes work on PostgreSQL and PGlite.
 *
 * Layout: one format byte, then the payload. Format 1 = raw DEFLATE (RFC 1951, node:zlib) of
 * the UTF-8 JSON array `[content, violations, reasoning, stage_latency_ms, detectors_run,
 * trace_id, policy_revision, model_version, cohort]`.
 * JSON keeps strings exact (lone surrogates are escaped) and doubles in round-trip form, so the
 * canonical leaf recomputed from a decoded body equals the one hashed at append.
 *
 * Why DEFLATE (node:zlib) and not zstd: on ~1 KB records both shrink the body about 2× (zstd
 * without a dictionary is no better at this size), and zlib is synchronous and built in, so
 * decoding a row stays a plain function; @mongodb-js/zstd is async and cost more CPU per call
 * in our measurements (threadpool hop).
 */
export interface RecordBody {
  content: string;
  violations: CanonicalViolation[];
  reasoning: string;
  stageLatencyMs: Record<string, number>;
  detectorsRun: string[];
  traceId: string;
  policyRevision: string;
  modelVersion: string;
  cohort: string;
}

const FORMAT_DEFLATE_JSON = 1;

/** Encode the body of a record (format 1). */
export function encodeRecordBody(body: RecordBody): Uint8Array {
  const json = JSON.stringify([
    body.content,
    body.violations,
    body.reasoning,
    body.stageLatencyMs,
    body.detectorsRun,
    body.traceId,
    body.policyRevision,
    body.modelVersion,
    body.cohort,
  ]);
  const packed = deflateRawSync(json, { level: 6 });
  const out = new Uint8Array(packed.length + 1);
  out[0] = FORMAT_DEFLATE_JSON;
  out.set(packed, 1);
  return out;
}

/** Decode a `body` value; throws on an unknown format or a damaged value. */
export function decodeRecordBody(bytes: Uint8Array): RecordBody {
  if (bytes[0] !== FORMAT_DEFLATE_JSON) {
    throw new Error(`audit record body: unknown format ${bytes[0] ?? '(empty)'}`);
  }
  const json = inflateRawSync(bytes.subarray(1)).toString('utf8');
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value) || value.length !== 9) throw new Error('audit record body: bad shape');
  const [content, violations, reasoning, stageLatencyMs, detectorsRun, ...texts] =
    value as unknown[];
  const [traceId, policyRevision, modelVersion, cohort] = texts;
  if (
    typeof content !== 'string' ||
    typeof reasoning !== 'string' ||
    typeof traceId !== 'string' ||
    typeof policyRevision !== 'string' ||
    typeof modelVersion !== 'string' ||
    typeof cohort !== 'string' ||
    !Array.isArray(violations) ||
    !Array.isArray(detectorsRun) ||
    typeof stageLatencyMs !== 'object' ||
    stageLatencyMs === null
  ) {
    throw new Error('audit record body: bad field types');
  }
  return {
    content,
    violations: violations as CanonicalViolation[],
    reasoning,
    stageLatencyMs: stageLatencyMs as Record<string, number>,
    detectorsRun: detectorsRun as string[],
    traceId,
    policyRevision,
    modelVersion,
    cohort,
  };
}
