/**
 * The cross-source view: every source scored by a judge that was tuned without it. Nothing in
 * the judge's default decision is fitted to rows — the rules are written from attack families
 * and the decision thresholds are fixed in the policy — so the judge that scores a source is the
 * same for every held-out source, and its per-source figures ARE the leave-one-source-out
 * figures. (The one fitted part, the ml-scorer intent model, has its own leave-one-source-out
 * check in `apps/ml-scorer/src/train/intent-cross-source.ts`; it is not in the default decision.)
 * Sources are pooled over the files of one action type.
 */
import { bucketsOf, type JudgedRow } from './prompt-eval.js';
import { summarise, pct, type EvalSummary } from './prompt-eval-report.js';
import { evalTargets, type TargetCheck } from './targets.js';

/** One held-out source. */
export interface HeldOutSource {
  source: string;
  actionType: string;
  summary: EvalSummary;
}

/** The cross-source report. */
export interface CrossSourceReport {
  sources: HeldOutSource[];
  /** How the judge was tuned for each held-out source. */
  method: string;
}

/** Per-source figures over judged rows (see the file comment for why this is leave-one-source-out). */
export function crossSourceOf(judged: readonly JudgedRow[]): CrossSourceReport {
  const sources: HeldOutSource[] = [];
  for (const actionType of ['message', 'response']) {
    const part = judged.filter((j) => j.row.actionType === actionType);
    const names = [...new Set(part.map((j) => j.row.source))].sort();
    for (const source of names) {
      const rows = part.filter((j) => j.row.source === source);
      sources.push({ source, actionType, summary: summarise(bucketsOf(rows, (r) => r.category)) });
    }
  }
  return { sources, method: 'rules and fixed thresholds only (no part of the default decision is fitted to rows)' };
}

/** Targets per held-out source: recall where it has attacks, FPR where it has benign rows. */
export function crossSourceChecks(report: CrossSourceReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const s of report.sources) {
    const output = s.actionType === 'response';
    const name = `held-out ${s.actionType === 'response' ? 'output' : 'prompt'} source ${s.source}`;
    if (s.summary.positives > 0) {
      const t = output ? evalTargets.outputRecall : evalTargets.attackRecall;
      checks.push({ name: `${name} recall`, value: s.summary.recall, pass: s.summary.recall >= t, target: `≥ ${t * 100}%` });
    }
    if (s.summary.negatives > 0) {
      const t = output ? evalTargets.outputFpr : evalTargets.benignFpr;
      checks.push({ name: `${name} FPR`, value: s.summary.falsePositiveRate, pass: s.summary.falsePositiveRate <= t, target: `≤ ${t * 100}%` });
    }
  }
  return checks;
}

/** A plain-text table. */
export function formatCrossSource(report: CrossSourceReport): string {
  const lines = [`cross-source (each source held out; ${report.method})`, `  ${'source'.padEnd(28)} ${'type'.padEnd(9)} ${'recall'.padStart(16)} ${'FPR'.padStart(16)}`];
  for (const s of report.sources) {
    const m = s.summary;
    const rec = m.positives > 0 ? `${pct(m.recall)} of ${m.positives}` : '-';
    const fpr = m.negatives > 0 ? `${pct(m.falsePositiveRate)} of ${m.negatives}` : '-';
    lines.push(`  ${s.source.padEnd(28)} ${s.actionType.padEnd(9)} ${rec.padStart(16)} ${fpr.padStart(16)}`);
  }
  return lines.join('\n');
}
