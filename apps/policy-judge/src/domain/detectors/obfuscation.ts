import type { Finding } from '../finding.js';
import type { Detector } from './detector.js';

// Linear single-class patterns.
const ZERO_WIDTH_IN_WORD = /[A-Za-z][\u200b-\u200d\u2060\ufeff\u00ad]+[A-Za-z]/g;
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
const TAGS = /[\u{e0000}-\u{e007f}]/gu;
/** A word mixing Latin letters with Cyrillic/Greek look-alikes: classic homoglyph spoofing. */
const MIXED_SCRIPT_WORD = /[A-Za-z][\u0370-\u03ff\u0400-\u04ff]|[\u0370-\u03ff\u0400-\u04ff][A-Za-z]/g;

/**
 * Obfuscation itself as evidence: invisible characters inside words, bidi overrides, tag
 * characters, mixed-script words and encoded payloads. Low severity on its own (multilingual
 * text is normal); what the payload SAYS is judged by the other detectors on the decoded views.
 */
export function createObfuscationDetector(): Detector {
  return {
    id: 'obfuscation',
    tier: 'cheap',
    gate: () => true,
    run(ctx) {
      const text = ctx.content.length > ctx.policy.file.limits.maxContentChars ? ctx.content.slice(0, ctx.policy.file.limits.maxContentChars) : ctx.content;
      const findings: Finding[] = [];
      const add = (re: RegExp, category: string, severity: Finding['severity'], confidence: number, reason: string) => {
        const spans = [...text.matchAll(re)].slice(0, 6).map((m) => ({ start: m.index, end: m.index + m[0].length }));
        if (spans.length > 0) findings.push({ detector: 'obfuscation', category, severity, confidence, spans, reason });
      };
      if (/[^\x00-\x7f]/.test(text)) {
        add(ZERO_WIDTH_IN_WORD, 'obfuscation.zero_width', 'LOW', 0.7, 'invisible characters inside words');
        add(BIDI, 'obfuscation.bidi', 'MEDIUM', 0.7, 'bidirectional override characters can hide or reorder text');
        add(TAGS, 'obfuscation.tag_characters', 'MEDIUM', 0.8, 'invisible Unicode tag characters smuggle hidden text');
        add(MIXED_SCRIPT_WORD, 'obfuscation.homoglyph', 'LOW', 0.6, 'words mix Latin with look-alike Cyrillic/Greek letters');
      }
      const decoded = ctx.views().filter((v) => v.kind === 'base64' || v.kind === 'hex' || v.kind === 'url' || v.kind === 'rot13');
      if (decoded.length > 0) {
        const spans = decoded.slice(0, 6).map((v) => v.toOriginal(0, 1));
        findings.push({
          detector: 'obfuscation',
          category: 'obfuscation.encoded_payload',
          severity: 'LOW',
          confidence: 0.5,
          spans,
          reason: `encoded text (${[...new Set(decoded.map((v) => v.kind))].join(', ')}) decoded and scanned`,
        });
      }
      return findings;
    },
  };
}
