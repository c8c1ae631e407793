import { create } from '@bufbuild/protobuf';
import { TimestampSchema } from '@bufbuild/protobuf/wkt';
import {
  auditv1,
  ActionType,
  Decision,
  EvidenceSpanSchema,
  Severity,
  ViolationSchema,
} from '@nethical/contracts';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { canonicalLeaf, canonicalLeafText, leafObject } from './canonical-leaf';
import { isoToMicros, microsToIso, microsToTimestamp, timestampToMicros } from './timestamps';

function record(): auditv1.AuditRecord {
  return create(auditv1.AuditRecordSchema, {
    sequence: 9_007_199_254_740_993n,
    actionId: 'a1',
    agentId: 'agent',
    tenantId: 't',
    regionId: 'eu',
    actionType: ActionType.TOOL_CALL,
    content: 'héllo "x"\n',
    decision: Decision.BLOCK,
    violations: [
      create(ViolationSchema, {
        detector: 'd',
        category: 'c',
        severity: Severity.LOW,
        confidence: 0.5,
        reason: 'r',
      }),
    ],
    riskScore: 1e21,
    policyRevision: 'p',
    modelVersion: 'm',
    stageLatencyMs: { z: 1, a: 0.1 },
    traceId: '',
    committedAt: create(TimestampSchema, { seconds: 1_790_000_000n, nanos: 1_000 }),
    reasoning: '',
    cohort: '',
    detectorsRun: ['b', 'a'],
  });
}

describe('canonical leaf', () => {
  it('is RFC 8785 JSON with sorted keys, 64-bit sequence as a string and microsecond times', () => {
    const text = new TextDecoder().decode(canonicalLeaf(record()));
    expect(text).toBe(
      '{"action_id":"a1","action_type":3,"agent_id":"agent","cohort":"","committed_at":"2026-09-21T14:13:20.000001Z",' +
        '"content":"héllo \\"x\\"\\n","decision":4,"detectors_run":["b","a"],"format":"nethical.audit.leaf.v1",' +
        '"ml_score":null,"model_version":"m","policy_revision":"p","reasoning":"","received_at":null,"region_id":"eu",' +
        '"risk_score":1e+21,"sequence":"9007199254740993","stage_latency_ms":{"a":0.1,"z":1},"tenant_id":"t",' +
        '"trace_id":"","violations":[{"category":"c","confidence":0.5,"detector":"d","ethical_dimensions":[],' +
        '"evidence":[],"reason":"r","severity":1}]}',
    );
  });

  it('ignores the leaf field and depends on every other field', () => {
    const base = record();
    const withLeaf = record();
    withLeaf.leaf = new Uint8Array([1, 2, 3]);
    expect(canonicalLeaf(withLeaf)).toEqual(canonicalLeaf(base));
    const changed = record();
    changed.content = 'other';
    expect(canonicalLeaf(changed)).not.toEqual(canonicalLeaf(base));
    // 20 proto fields without `leaf`, plus `format`.
    expect(Object.keys(leafObject(base))).toHaveLength(21);
  });

  it('is format v1 without a request digest and v2, with the digest, when it has one', () => {
    const v1 = record();
    expect(leafObject(v1).format).toBe('nethical.audit.leaf.v1');
    expect(canonicalLeafText(v1)).not.toContain('request_digest');
    const v2 = record();
    v2.requestDigest = 'ab'.repeat(32);
    expect(leafObject(v2)).toMatchObject({ format: 'nethical.audit.leaf.v2', request_digest: 'ab'.repeat(32) });
    expect(Object.keys(leafObject(v2))).toHaveLength(22);
    expect(canonicalLeafText(v2)).toBe(canonicalize(leafObject(v2)));
    const other = record();
    other.requestDigest = 'cd'.repeat(32);
    expect(canonicalLeaf(other)).not.toEqual(canonicalLeaf(v2));
  });

  it('round-trips times at microsecond precision, also before 1970', () => {
    for (const us of [0n, 1n, -1n, 1_790_000_000_123_456n, -86_400_000_001n]) {
      expect(isoToMicros(microsToIso(us))).toBe(us);
      expect(timestampToMicros(microsToTimestamp(us))).toBe(us);
    }
    expect(isoToMicros('2026-11-27T06:48:12.123456789+01:00')).toBe(
      isoToMicros('2026-11-27T05:48:12.123456Z'),
    );
  });

  it('writes exactly what the generic RFC 8785 serialiser writes, on generated records', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const alphabet = [
      'a',
      'Z',
      '_',
      ' ',
      '"',
      '\\',
      '\n',
      '\u0001',
      '\u007f',
      'é',
      '€',
      '😀',
      '\u2028',
      '/',
      '{',
    ];
    const text = (max: number): string =>
      Array.from(
        { length: Math.floor(random() * max) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
    const numbers = [
      0,
      -0,
      1,
      -1,
      0.1 + 0.2,
      1e21,
      1e-7,
      5e-324,
      1.7976931348623157e308,
      123456789.125,
      -2.5e-10,
    ];
    const number = (): number =>
      random() < 0.5
        ? numbers[Math.floor(random() * numbers.length)]!
        : (random() - 0.5) * 10 ** Math.floor(random() * 30 - 10);
    for (let i = 0; i < 500; i++) {
      const r = record();
      r.sequence = BigInt(Math.floor(random() * 2 ** 53));
      r.actionId = text(20);
      r.content = text(200);
      r.riskScore = number();
      r.mlScore = random() < 0.3 ? undefined : number();
      r.receivedAt =
        random() < 0.3
          ? undefined
          : microsToTimestamp(BigInt(Math.floor((random() - 0.3) * 2 ** 52)));
      r.stageLatencyMs = Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, () => [text(6), number()]),
      );
      r.detectorsRun = Array.from({ length: Math.floor(random() * 4) }, () => text(8));
      r.requestDigest = random() < 0.5 ? '' : text(64);
      r.violations = Array.from({ length: Math.floor(random() * 3) }, () =>
        create(ViolationSchema, {
          detector: text(8),
          category: text(8),
          severity: Math.floor(random() * 5),
          confidence: number(),
          evidence: Array.from({ length: Math.floor(random() * 3) }, () =>
            create(EvidenceSpanSchema, {
              start: Math.floor(random() * 1000),
              end: Math.floor(random() * 1000),
              excerpt: text(10),
            }),
          ),
          reason: text(30),
          ethicalDimensions: Array.from({ length: Math.floor(random() * 3) }, () => text(6)),
        }),
      );
      expect(canonicalLeafText(r)).toBe(canonicalize(leafObject(r)));
    }
  });

  it('refuses what the generic serialiser refuses: lone surrogates, NaN, infinities', () => {
    const cases: Array<(r: auditv1.AuditRecord) => void> = [
      (r) => (r.content = 'a\ud800b'),
      (r) => (r.reasoning = '\udc00'),
      (r) => (r.stageLatencyMs = { ['\ud83d']: 1 }),
      (r) => (r.riskScore = Number.NaN),
      (r) => (r.mlScore = Number.POSITIVE_INFINITY),
    ];
    for (const change of cases) {
      const r = record();
      change(r);
      expect(() => canonicalize(leafObject(r))).toThrow();
      expect(() => canonicalLeafText(r)).toThrow();
    }
  });
});
