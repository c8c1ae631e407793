import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { redact } from '../pii/redact.js';
import { shannonEntropy } from './entropy.js';
import { detectSecrets } from './index.js';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;

describe('detectSecrets: positives', () => {
  for (const c of fixture<Array<{ type: string; text: string; value: string }>>('positives.json')) {
    it(c.type, () => {
      const found = detectSecrets(c.text).map((e) => ({
        type: e.type,
        kind: e.kind,
        value: c.text.slice(e.start, e.end),
      }));
      expect(found).toContainEqual({ type: c.type, kind: 'secret', value: c.value });
    });
  }
});

describe('detectSecrets: placeholders and prose are ignored', () => {
  for (const c of fixture<Array<{ why: string; text: string }>>('negatives.json')) {
    it(c.why, () => {
      expect(detectSecrets(c.text).map((e) => `${e.type}=${c.text.slice(e.start, e.end)}`)).toEqual(
        [],
      );
    });
  }
});

/**
 * One entry per precision rule (issue 13): examples the rule must leave alone and, next to them,
 * secrets of the same shape that must still be found. Hand-written, not dataset rows.
 */
describe('detectSecrets: precision rules keep their secrets', () => {
  type Detected = { type: string; text: string; value: string };
  for (const r of fixture<Array<{ rule: string; detected: Detected[]; ignored: string[] }>>(
    'precision-rules.json',
  )) {
    describe(r.rule, () => {
      for (const d of r.detected) {
        it(`finds ${d.type} in ${d.text}`, () => {
          const found = detectSecrets(d.text).map((e) => ({
            type: e.type,
            value: d.text.slice(e.start, e.end),
          }));
          expect(found).toContainEqual({ type: d.type, value: d.value });
        });
      }
      for (const text of r.ignored) {
        it(`ignores ${text}`, () => {
          expect(detectSecrets(text).map((e) => `${e.type}=${text.slice(e.start, e.end)}`)).toEqual(
            [],
          );
        });
      }
    });
  }
});

describe('detectSecrets: inputs', () => {
  it('empty text', () => {
    expect(detectSecrets('')).toEqual([]);
  });
  it('1 MB of keyword-dense input completes and finds the trailing key', () => {
    const chunk = 'password = token: secret=> key= sk- ghp_ xox eyJ AKIA -----BEGIN ';
    const text =
      chunk.repeat(Math.ceil(1_000_000 / chunk.length)) +
      '\nGH=ghp_R4nd0mT0k3nV4lu3F0rN3th1c4lT3st1ngQ9';
    const found = detectSecrets(text);
    expect(found.some((e) => e.type === 'GITHUB_TOKEN')).toBe(true);
  });
  it('redacts secrets under every policy', () => {
    const text = 'use AKIAZ7QW3RT5YU2IOP4L now';
    expect(redact(text, detectSecrets(text), 'minimal').text).toBe('use [AWS_ACCESS_KEY_1] now');
  });
});

describe('shannonEntropy', () => {
  it('is 0 for one repeated symbol and log2(n) for n distinct symbols', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });
});
