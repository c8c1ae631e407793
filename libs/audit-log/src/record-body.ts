import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { CanonicalViolation } from './canonical-leaf';

/**
 * The `body` column of `audit_records` (migration 2): the fields of a record that no query
 * filters on — content, violations, reasoning, stage latencies, detectors run, trace id, policy
 * revision, model version, cohort — in one compressed value. PostgreSQL only compresses values of rows over ~2 KB (TOAST; lowering
 * `toast_tuple_target` does not start it earlier), and most records are smaller, so the store
 * compresses them itself; the same bytes work on PostgreSQL and PGlite.
 *
 * Layout: one format byte, then the payload. Format 2 (written since the request digest) = raw
 * DEFLATE with the preset dictionary `BODY_DICTIONARY_V1` below; format 1 (read only) = raw
 * DEFLATE (RFC 1951, node:zlib) without one. Both compress the UTF-8 JSON array `[content, violations, reasoning, stage_latency_ms, detectors_run,
 * trace_id, policy_revision, model_version, cohort]`, with `request_digest` as a tenth element
 * when the record has one (bodies written before it have nine).
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
  /** Empty when the record has none. */
  requestDigest: string;
}

const FORMAT_DEFLATE_JSON = 1;
const FORMAT_DEFLATE_JSON_DICT1 = 2;

/**
 * Preset dictionary of format 2: what recurs in every body but never twice within one, so
 * per-record DEFLATE cannot shrink it: the detectors-run list (about 200 characters in every
 * record), decision reasoning, violation keys, categories, ethical dimensions, placeholders,
 * stage names. It saves about 100 bytes per mesh record and pays for the request digest.
 * NEVER EDIT: stored bodies decode only with these exact bytes (the test pins its SHA-256); a
 * better dictionary is a new format number.
 */
export const BODY_DICTIONARY_V1 = Buffer.from(
  [
    '"rev-","model-","cohort-","trace-",',
    '{"detector":"pii","category":"pii.email","severity":3,"confidence":0.9,"evidence":[{"start":0,"end":0,"excerpt":"[EMAIL]"}],',
    '"reason":"','","ethical_dimensions":["privacy","safety","autonomy","security","legality","manipulation","fairness"]}',
    '[PHONE_1][CREDIT_CARD_1][IP_ADDRESS_1][IBAN_1][US_SSN_1][API_KEY_1][PERSON_1][STREET_ADDRESS_1][EMAIL_1]',
    'pii.phone","pii.credit_card","pii.ip_address","secret.","harmful.drugs","harmful.dangerous_activity","harmful.malware",',
    '"harmful.fraud","toxic.harmful_advice","jailbreak.roleplay","jailbreak.priming","jailbreak.persona","jailbreak.unrestricted",',
    '"prompt_injection.exfiltration","prompt_injection.override","dangerous_command.path_escape","dangerous_command.sql_destructive",',
    '"dangerous_command.remote_exec","dangerous_command.destructive",',
    ' (CRITICAL) → BLOCK (HIGH) → BLOCK agent risk ≥ quarantine','QUARANTINE: agent is quarantined","',
    'BLOCK: ','ALLOW_WITH_MODIFICATION: 1 PII/secret finding(s) fixed by redaction",',
    '{"quota":0.5,"replay":0.5,"judge":1.5,"audit":2.5}',
    '["pii","secrets","system-limits","obfuscation","adversarial-suffix","prompt-injection","harmful-content","cognitive-warfare","manipulation","dark-patterns","dangerous-commands","unauthorized-access","toxic-content","model-abuse","output-checks"],"',
    '[],"ALLOW: no violations",{"quota":0.5,"judge":1.5,"audit":2.5},["pii","secrets","system-limits","obfuscation","adversarial-suffix","prompt-injection","harmful-content","cognitive-warfare","dangerous-commands","toxic-content","output-checks"],"","nethical-default@1.1.0+',
  ].join(''),
  'utf8',
);

/** Encode the body of a record (format 2). */
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
    ...(body.requestDigest ? [body.requestDigest] : []),
  ]);
  const packed = deflateRawSync(json, { level: 6, dictionary: BODY_DICTIONARY_V1 });
  const out = new Uint8Array(packed.length + 1);
  out[0] = FORMAT_DEFLATE_JSON_DICT1;
  out.set(packed, 1);
  return out;
}

/** Decode a `body` value; throws on an unknown format or a damaged value. */
export function decodeRecordBody(bytes: Uint8Array): RecordBody {
  if (bytes[0] !== FORMAT_DEFLATE_JSON && bytes[0] !== FORMAT_DEFLATE_JSON_DICT1) {
    throw new Error(`audit record body: unknown format ${bytes[0] ?? '(empty)'}`);
  }
  const payload = bytes.subarray(1);
  const json = (
    bytes[0] === FORMAT_DEFLATE_JSON_DICT1
      ? inflateRawSync(payload, { dictionary: BODY_DICTIONARY_V1 })
      : inflateRawSync(payload)
  ).toString('utf8');
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value) || (value.length !== 9 && value.length !== 10)) {
    throw new Error('audit record body: bad shape');
  }
  const [content, violations, reasoning, stageLatencyMs, detectorsRun, ...texts] =
    value as unknown[];
  const [traceId, policyRevision, modelVersion, cohort, requestDigest = ''] = texts;
  if (
    typeof content !== 'string' ||
    typeof reasoning !== 'string' ||
    typeof traceId !== 'string' ||
    typeof policyRevision !== 'string' ||
    typeof modelVersion !== 'string' ||
    typeof cohort !== 'string' ||
    typeof requestDigest !== 'string' ||
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
    requestDigest,
  };
}
