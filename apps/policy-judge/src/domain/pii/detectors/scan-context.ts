/**
 * Helpers shared by the PII detectors: an emit callback, word-boundary and keyword-context checks.
 */
import type { SensitiveEntity } from '../../finding.js';
import type { PiiType } from '../entity-types.js';

/** Collects entities. Detectors call it with a catalogue type. */
export type Emit = (type: PiiType, start: number, end: number, confidence: number) => void;

/** A PII detector: scans `text` and emits entities. Must run in time linear in `text.length`. */
export type PiiDetector = (text: string, emit: Emit) => void;

/** Build an emit callback that appends `pii` entities to `out`. */
export function collectInto(out: SensitiveEntity[]): Emit {
  return (type, start, end, confidence) => {
    out.push({ type, kind: 'pii', start, end, confidence: Math.min(1, Math.max(0, confidence)) });
  };
}

/** How far before a candidate a context keyword may appear (code units). */
export const CONTEXT_WINDOW = 48;

/**
 * True when `keyword` (a regex without the global flag) matches the `window` characters before
 * `start`, e.g. "SSN" before a nine-digit number. Only the window is tested, so cost is constant.
 */
export function hasContextBefore(
  text: string,
  start: number,
  keyword: RegExp,
  window = CONTEXT_WINDOW,
): boolean {
  return keyword.test(text.slice(Math.max(0, start - window), start));
}

/** Strip everything but ASCII digits. */
export function digitsOnly(s: string): string {
  return s.replace(/\D/g, '');
}

/** Count ASCII digits, stopping early at `enough` (prefilter for number detectors). */
export function countDigits(text: string, enough: number): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++n >= enough) return n;
  }
  return n;
}
