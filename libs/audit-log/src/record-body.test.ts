import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BODY_DICTIONARY_V1, decodeRecordBody, encodeRecordBody, type RecordBody } from './record-body';

const body = (over: Partial<RecordBody> = {}): RecordBody => ({
  content: 'summarise the report for [EMAIL_1]',
  violations: [
    {
      detector: 'pii',
      category: 'pii.email',
      severity: 2,
      confidence: 0.9,
      evidence: [{ start: 25, end: 34, excerpt: '[EMAIL]' }],
      reason: 'email address',
      ethical_dimensions: ['privacy'],
    },
  ],
  reasoning: 'ALLOW_WITH_MODIFICATION: 1 PII/secret finding(s) fixed by redaction',
  stageLatencyMs: { quota: 0.4, judge: 1.25, audit: 3 },
  detectorsRun: ['pii', 'secrets', 'system-limits'],
  traceId: '',
  policyRevision: 'nethical-default@1.1.0+d6997807a075',
  modelVersion: '',
  cohort: '',
  requestDigest: 'ab'.repeat(32),
  ...over,
});

describe('record body', () => {
  it('round-trips every field, with and without a request digest', () => {
    for (const b of [body(), body({ requestDigest: '' })]) {
      const bytes = encodeRecordBody(b);
      expect(bytes[0]).toBe(2);
      expect(decodeRecordBody(bytes)).toEqual(b);
    }
  });

  it('still reads format 1 bodies (no dictionary, nine fields) written before format 2', () => {
    const b = body({ requestDigest: '' });
    const json = JSON.stringify([
      b.content,
      b.violations,
      b.reasoning,
      b.stageLatencyMs,
      b.detectorsRun,
      b.traceId,
      b.policyRevision,
      b.modelVersion,
      b.cohort,
    ]);
    const packed = deflateRawSync(json);
    const v1 = new Uint8Array(packed.length + 1);
    v1[0] = 1;
    v1.set(packed, 1);
    expect(decodeRecordBody(v1)).toEqual(b);
  });

  it('pins the format 2 dictionary: stored bodies depend on its exact bytes', () => {
    expect(createHash('sha256').update(BODY_DICTIONARY_V1).digest('hex')).toBe(
      '502b05c50aebd2c2a85703ba06393d50a5f80b81ce2b83d6342f68afe068ebe4',
    );
  });

  it('refuses unknown formats, damaged values and wrong shapes', () => {
    expect(() => decodeRecordBody(new Uint8Array([3, 1, 2]))).toThrow(/unknown format 3/);
    expect(() => decodeRecordBody(new Uint8Array([2, 1, 2, 3]))).toThrow();
    const short = deflateRawSync('["only one"]', { dictionary: BODY_DICTIONARY_V1 });
    expect(() => decodeRecordBody(new Uint8Array([2, ...short]))).toThrow(/bad shape/);
  });
});
