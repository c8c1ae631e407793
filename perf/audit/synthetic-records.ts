import { create } from '@bufbuild/protobuf';
import {
  auditv1,
  ActionType,
  Decision,
  EvidenceSpanSchema,
  ViolationSchema,
} from '@nethical/contracts';
import { microsToTimestamp } from '@nethical/audit-log';

/**
 * Synthetic but realistic audit records for load tests: a long tail of agents (a few very
 * busy), a decision mix dominated by ALLOW, violations with evidence on the blocked ones,
 * redacted content of 80–2,000 characters built from a small generic vocabulary (no evaluation
 * data), per-stage latencies and an ML score on most records. Deterministic for a seed.
 */

const WORDS = (
  'please summarise the report for customer account invoice schedule meeting update ticket ' +
  'deploy service database query table export send email to team review code change file ' +
  'read write delete user profile payment order status refund policy quarterly budget plan ' +
  'search web fetch url api call run script shell command list directory open document ' +
  'translate text draft reply calendar reminder project task priority high low medium'
).split(' ');
const REDACTIONS = [
  '[REDACTED_EMAIL]',
  '[REDACTED_PHONE]',
  '[REDACTED_CARD]',
  '[REDACTED_SECRET]',
  '[REDACTED_NAME]',
];
const DETECTORS = ['pii', 'secrets', 'injection', 'toxicity', 'exfiltration', 'policy'];
const CATEGORIES = ['privacy', 'security', 'prompt_injection', 'harm', 'data_loss', 'compliance'];
const ACTION_TYPES = [
  ActionType.MESSAGE,
  ActionType.RESPONSE,
  ActionType.TOOL_CALL,
  ActionType.CODE_EXECUTION,
  ActionType.DATA_ACCESS,
  ActionType.SYSTEM_COMMAND,
  ActionType.EXTERNAL_API,
  ActionType.FILE_OPERATION,
];
const REGIONS = ['eu-west-1'];
const ACTION_VERBS = ['message', 'tool call', 'query', 'command', 'request'];

/** Small fast PRNG (mulberry32): reproducible data without a dependency. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticOptions {
  seed?: number;
  agents?: number;
  /** Commit time of record 0 (ms) and spacing between records (µs). */
  startMs: number;
  spacingUs: number;
}

/**
 * A generator of committed records (sequence, committed_at and leaf-ready fields set). Record
 * `i` depends only on the seed and `i` (its own PRNG stream), so worker threads can build any
 * range of the same data set (bulk-ingest).
 */
export function createSyntheticRecords(
  options: SyntheticOptions,
): (sequence: number) => auditv1.AuditRecord {
  const seed = options.seed ?? 42;
  let random = createRandom(seed);
  const agents = options.agents ?? 5000;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const text = (min: number, max: number): string => {
    const target = min + Math.floor(random() ** 2 * (max - min));
    const parts: string[] = [];
    let len = 0;
    while (len < target) {
      const w = random() < 0.04 ? pick(REDACTIONS) : pick(WORDS);
      parts.push(w);
      len += w.length + 1;
    }
    return parts.join(' ');
  };
  // Content comes from a pool of pre-built texts (generating ~100 words per record would make
  // the generator, not the database, the bottleneck); a per-record prefix keeps rows distinct.
  const REASONS = Array.from({ length: 256 }, () => text(20, 200));
  const pool = Array.from({ length: 2048 }, () => text(80, 2000));
  const startUs = BigInt(options.startMs) * 1000n;
  return (sequence) => {
    random = createRandom(
      Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(sequence, 0x85ebca6b),
    );
    random();
    // Zipf-like agent choice: a few agents are very active, most are rare.
    const agent = Math.floor(agents * random() ** 3);
    const roll = random();
    const decision =
      roll < 0.8
        ? Decision.ALLOW
        : roll < 0.88
          ? Decision.ALLOW_WITH_MODIFICATION
          : roll < 0.93
            ? Decision.WARN
            : roll < 0.985
              ? Decision.BLOCK
              : roll < 0.995
                ? Decision.ESCALATE
                : Decision.QUARANTINE;
    const content = `${ACTION_VERBS[sequence % ACTION_VERBS.length]} #${sequence}: ${pick(pool)}`;
    const nViolations = decision === Decision.ALLOW ? 0 : 1 + Math.floor(random() * 3);
    const violations = Array.from({ length: nViolations }, () => {
      const k = Math.floor(random() * DETECTORS.length);
      const start = Math.floor(random() * Math.max(1, content.length - 20));
      return create(ViolationSchema, {
        detector: DETECTORS[k]!,
        category: CATEGORIES[k]!,
        severity: 1 + Math.floor(random() * 4),
        confidence: Math.round(random() * 1e6) / 1e6,
        evidence: [
          create(EvidenceSpanSchema, { start, end: start + 16, excerpt: pick(REDACTIONS) }),
        ],
        reason: pick(REASONS),
        ethicalDimensions: random() < 0.3 ? ['privacy', 'autonomy'] : [],
      });
    });
    const committedUs = startUs + BigInt(sequence) * BigInt(options.spacingUs);
    const record = create(auditv1.AuditRecordSchema, {
      sequence: BigInt(sequence),
      actionId: `act-${sequence.toString(36)}-${Math.floor(random() * 2 ** 32).toString(16)}`,
      agentId: `agent-${agent}`,
      tenantId: `tenant-${agent % 50}`,
      regionId: pick(REGIONS),
      actionType: pick(ACTION_TYPES),
      content,
      decision,
      violations,
      riskScore: nViolations ? 0.5 + random() / 2 : random() / 3,
      policyRevision: 'rev-2026-11-20',
      modelVersion: 'risk-gbdt-1.4.2',
      stageLatencyMs: { quota: random() * 2, judge: random() * 20, ml: random() * 8 },
      traceId: Math.floor(random() * 2 ** 52)
        .toString(16)
        .padStart(32, '0'),
      receivedAt: microsToTimestamp(committedUs - BigInt(Math.floor(random() * 30_000))),
      committedAt: microsToTimestamp(committedUs),
      reasoning: nViolations ? pick(REASONS) : 'no finding',
      cohort: random() < 0.1 ? 'canary' : 'default',
      detectorsRun: DETECTORS.slice(0, 3 + Math.floor(random() * 4)),
      // Every gateway record carries the SHA-256 of its request (random bytes do not compress).
      requestDigest: Array.from({ length: 8 }, () =>
        Math.floor(random() * 2 ** 32)
          .toString(16)
          .padStart(8, '0'),
      ).join(''),
    });
    if (random() < 0.9) record.mlScore = random();
    return record;
  };
}
