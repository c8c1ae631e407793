import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RedactionPolicy, SensitiveEntity } from '../finding.js';
import { detectPii, resolveOverlaps } from './index.js';
import { redact } from './redact.js';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;

interface Positive {
  type: string;
  text: string;
  value: string;
  policy?: RedactionPolicy;
}
interface Negative {
  why: string;
  text: string;
}

describe('detectPii: one positive per entity type', () => {
  for (const c of fixture<Positive[]>('positives.json')) {
    it(`${c.type}: ${c.text}`, () => {
      const found = detectPii(c.text, { policy: c.policy ?? 'standard' });
      const values = found.map((e) => `${e.type}=${c.text.slice(e.start, e.end)}`);
      expect(values).toContain(`${c.type}=${c.value}`);
    });
  }
});

describe('detectPii: look-alikes failing checksums or context are not flagged', () => {
  for (const c of fixture<Negative[]>('negatives.json')) {
    it(c.why, () => {
      const found = detectPii(c.text, { policy: 'standard' });
      expect(found.map((e) => `${e.type}=${c.text.slice(e.start, e.end)}`)).toEqual([]);
    });
  }
});

describe('detectPii: policies', () => {
  const { text, expected } = fixture<{ text: string; expected: Record<RedactionPolicy, string[]> }>(
    'policies.json',
  );
  for (const policy of ['minimal', 'standard', 'aggressive'] as const) {
    it(policy, () => {
      expect(detectPii(text, { policy }).map((e) => e.type)).toEqual(expected[policy]);
    });
  }
  it('defaults to standard', () => {
    expect(detectPii(text).map((e) => e.type)).toEqual(expected.standard);
  });
});

describe('detectPii: inputs', () => {
  it('returns nothing for empty text', () => {
    expect(detectPii('', { policy: 'aggressive' })).toEqual([]);
  });
  it('reports UTF-16 offsets after astral characters', () => {
    const text = '😀😀 mail ana@nethical-demo.io';
    const [e] = detectPii(text);
    expect(e && text.slice(e.start, e.end)).toBe('ana@nethical-demo.io');
  });
  it('never returns overlapping entities', () => {
    const found = detectPii('ssn 219437788 card 4739205816407329 ip ::ffff:10.0.0.1', {
      policy: 'aggressive',
    });
    for (let i = 1; i < found.length; i++)
      expect(found[i]!.start).toBeGreaterThanOrEqual(found[i - 1]!.end);
  });
  it('scans 1 MB of adversarial input and still finds entities at the end', () => {
    // Long runs of the characters the patterns consume (digits, hex, separators, '@', ':'),
    // which would blow up nested quantifiers; the test proves completion, speed is in the bench.
    const chunk = '1-2 3.4:5@a' + '9'.repeat(40) + ' aa:bb:cc ';
    const text = chunk.repeat(Math.ceil(1_000_000 / chunk.length)) + ' mail ana@nethical-demo.io';
    const found = detectPii(text, { policy: 'aggressive' });
    expect(
      found.some(
        (e) => e.type === 'EMAIL' && text.slice(e.start, e.end) === 'ana@nethical-demo.io',
      ),
    ).toBe(true);
  });
});

describe('detectPii: entity-dense 1 MB input', () => {
  it('finds every entity (and would time out if any step were quadratic)', () => {
    const text = 'a@b.io 10.2.3.4 '.repeat(62_500);
    const found = detectPii(text, { policy: 'standard' });
    expect(found).toHaveLength(125_000);
    expect(
      redact(text, found, 'standard').text.startsWith('[EMAIL_1] [IP_ADDRESS_1] [EMAIL_1]'),
    ).toBe(true);
  });
});

describe('redact', () => {
  interface Case {
    name: string;
    text: string;
    entities: SensitiveEntity[];
    policy: RedactionPolicy;
    expected: string;
  }
  for (const c of fixture<Case[]>('redaction.json')) {
    it(c.name, () => {
      expect(redact(c.text, c.entities, c.policy).text).toBe(c.expected);
    });
  }
  it('reports replacements with original offsets', () => {
    const text = 'mail ana@nethical-demo.io or ana@nethical-demo.io';
    const { replacements } = redact(text, detectPii(text), 'standard');
    expect(replacements).toEqual([
      { type: 'EMAIL', start: 5, end: 25, placeholder: '[EMAIL_1]' },
      { type: 'EMAIL', start: 29, end: 49, placeholder: '[EMAIL_1]' },
    ]);
  });
  it('leaves text without entities untouched and ignores out-of-range spans', () => {
    const bad: SensitiveEntity = { type: 'EMAIL', kind: 'pii', start: 5, end: 99, confidence: 1 };
    expect(redact('hello', [bad], 'aggressive')).toEqual({ text: 'hello', replacements: [] });
  });
  it('end to end: detect then redact', () => {
    const text = 'Card 4739 2058 1640 7329 belongs to ana@nethical-demo.io';
    expect(redact(text, detectPii(text), 'standard').text).toBe(
      'Card [CREDIT_CARD_1] belongs to [EMAIL_1]',
    );
  });
});

describe('resolveOverlaps', () => {
  const e = (type: string, start: number, end: number, confidence: number): SensitiveEntity => ({
    type,
    kind: 'pii',
    start,
    end,
    confidence,
  });
  it('resolves chains inside a cluster and keeps separate clusters apart', () => {
    const kept = resolveOverlaps([
      e('B', 5, 15, 0.5),
      e('A', 0, 10, 0.9),
      e('C', 12, 20, 0.9),
      e('D', 30, 40, 0.3),
    ]);
    expect(kept.map((k) => k.type)).toEqual(['A', 'C', 'D']);
  });
  it('handles tens of thousands of entities', () => {
    const many = Array.from({ length: 40_000 }, (_, i) => e('X', i * 3, i * 3 + 2, 0.5));
    expect(resolveOverlaps(many)).toHaveLength(40_000);
  });
});
