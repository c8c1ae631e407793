/**
 * Long digit runs (8+ digits) with no more specific reading: account-like numbers, IDs, order
 * numbers. Aggressive policy only; low confidence so every specific type wins an overlap.
 */
import type { Emit } from './scan-context.js';

// One unbounded single quantifier, no nesting: greedy to the end of the run, never backtracks into it.
const DIGIT_RUN_RE = /(?<!\d)\d{8,}(?!\d)/g;

/** Emit `DIGIT_RUN` (confidence 0.3). */
export function detectDigitRuns(text: string, emit: Emit): void {
  DIGIT_RUN_RE.lastIndex = 0;
  for (let m = DIGIT_RUN_RE.exec(text); m !== null; m = DIGIT_RUN_RE.exec(text)) {
    emit('DIGIT_RUN', m.index, m.index + m[0].length, 0.3);
  }
}
