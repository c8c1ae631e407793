import type { Finding } from '../finding.js';
import { WHITESPACE } from '../normalise/char-tables.js';
import type { Detector } from './detector.js';

/**
 * System limits: oversize content (not scanned in full, so it cannot be vouched for) and
 * repetition floods (a token or character repeated to exhaust context windows or budgets).
 * Hand-written: a single linear pass, no library needed.
 */
export function createSystemLimitsDetector(): Detector {
  return {
    id: 'system-limits',
    tier: 'cheap',
    gate: () => true,
    run(ctx) {
      const { limits } = ctx.policy.file;
      const text = ctx.content;
      const findings: Finding[] = [];
      if (text.length > limits.maxContentChars) {
        findings.push({
          detector: 'system-limits',
          category: 'system_limits.oversize',
          severity: 'HIGH',
          confidence: 1,
          spans: [{ start: limits.maxContentChars, end: text.length }],
          reason: `content is ${text.length} characters, above the ${limits.maxContentChars} that are scanned`,
        });
      }
      const bounded =
        text.length > limits.maxContentChars ? text.slice(0, limits.maxContentChars) : text;
      const run = longestRun(bounded);
      if (run.length >= limits.repetitionMaxRun) {
        findings.push({
          detector: 'system-limits',
          category: 'system_limits.repetition',
          severity: 'MEDIUM',
          confidence: 0.9,
          spans: [{ start: run.start, end: run.start + run.length }],
          reason: `one character repeated ${run.length} times in a row`,
        });
      } else {
        const flood = tokenFlood(
          bounded,
          limits.repetitionMinTokens,
          limits.repetitionMaxDistinctRatio,
        );
        if (flood) {
          findings.push({
            detector: 'system-limits',
            category: 'system_limits.repetition',
            severity: 'MEDIUM',
            confidence: 0.8,
            spans: [{ start: 0, end: bounded.length }],
            reason: `${flood.tokens} tokens but only ${flood.distinct} distinct: repetition flood`,
          });
        }
      }
      return findings;
    },
  };
}

function longestRun(text: string): { start: number; length: number } {
  let best = { start: 0, length: text.length > 0 ? 1 : 0 };
  let start = 0;
  let code = text.charCodeAt(0);
  for (let i = 1; i <= text.length; i++) {
    const next = i === text.length ? -1 : text.charCodeAt(i);
    if (next !== code) {
      // Whitespace runs (indentation, blank lines) are normal formatting, not a flood.
      if (i - start > best.length && WHITESPACE[code] === 0) best = { start, length: i - start };
      start = i;
      code = next;
    }
  }
  return best;
}

function tokenFlood(
  text: string,
  minTokens: number,
  maxRatio: number,
): { tokens: number; distinct: number } | null {
  // Tokens are separated by whitespace, so there are at most (whitespace characters + 1) of
  // them: most texts are ruled out by this count, without splitting.
  let spaces = 0;
  for (let i = 0; i < text.length && spaces + 1 < minTokens; i++)
    spaces += WHITESPACE[text.charCodeAt(i)]!;
  if (spaces + 1 < minTokens) return null;
  const tokens = text.split(/\s+/, 20_000).filter((t) => t.length > 0);
  if (tokens.length < minTokens) return null;
  const distinct = new Set(tokens.map((t) => t.toLowerCase())).size;
  return distinct / tokens.length < maxRatio ? { tokens: tokens.length, distinct } : null;
}
