/**
 * Leave-one-source-out check of the word-level intent model (`@nethical/text-intent`): for
 * every source of the labelled files, fit the model on all other sources (same action type),
 * pick its threshold on those training rows only (the score at `TARGET_FPR` of the training
 * negatives' out-of-fold scores), and score the held-out source. This is how the model would meet a source it has
 * never seen; it decides whether the model may join the judge's default decision (see docs/ml.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainIntent, type IntentExample } from '@nethical/text-intent';
import { rocAuc } from './metrics';

/** False-positive rate on the training negatives at which the threshold is set. */
export const TARGET_FPR = 0.03;
/** Folds for the out-of-fold scores the threshold is set on. */
const FOLDS = 3;

interface Row extends IntentExample {
  actionType: 'message' | 'response';
}

/** One held-out source. `recall`/`fpr` are null when the source has no rows of that label. */
export interface HeldOutFigures {
  source: string;
  actionType: string;
  positives: number;
  negatives: number;
  threshold: number;
  recall: number | null;
  fpr: number | null;
  auc: number | null;
}

/** The report; `skipped` names absent files. */
export interface IntentCrossSourceReport {
  sources: HeldOutFigures[];
  skipped: string[];
  /** Out-of-source scores of every source, pooled per action type (AUC). */
  pooledAuc: Record<string, number>;
}

const FILES = [
  ['prompts/labelled_prompts.jsonl', 'message'],
  ['prompts/labelled_prompts_more.jsonl', 'message'],
  ['prompts/labelled_outputs.jsonl', 'response'],
] as const;

function readRows(dir: string, skipped: string[]): Row[] {
  const rows: Row[] = [];
  for (const [file, actionType] of FILES) {
    const path = join(dir, file);
    if (!existsSync(path)) {
      skipped.push(file);
      continue;
    }
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const r = JSON.parse(line) as { text?: unknown; label?: unknown; source?: unknown };
      if (typeof r.text !== 'string') continue;
      rows.push({ text: r.text, label: r.label === 1 ? 1 : 0, source: String(r.source ?? 'unknown'), actionType });
    }
  }
  return rows;
}

/** The score above which at most `fpr` of `negatives` lie. */
function thresholdAt(negatives: number[], fpr: number): number {
  const sorted = [...negatives].sort((a, b) => b - a);
  return sorted[Math.min(sorted.length - 1, Math.floor(fpr * sorted.length))] ?? 0.5;
}

/** Runs the check over the labelled files under `dir` (hash bits kept small: the check fits many models). */
export function runIntentCrossSource(dir: string, hashBits = 16): IntentCrossSourceReport {
  const skipped: string[] = [];
  const rows = readRows(dir, skipped);
  const sources: HeldOutFigures[] = [];
  const pooledAuc: Record<string, number> = {};
  for (const actionType of ['message', 'response'] as const) {
    const part = rows.filter((r) => r.actionType === actionType);
    const names = [...new Set(part.map((r) => r.source))].sort();
    const oos: Array<{ score: number; label: 0 | 1; category: string }> = [];
    for (const source of names) {
      const train = part.filter((r) => r.source !== source);
      if (!train.some((r) => r.label === 1) || !train.some((r) => r.label === 0)) continue;
      const fit = (rs: readonly Row[]) => trainIntent(rs, { hashBits, epochs: 4, l2: 1e-4 }).model();
      const model = fit(train);
      // Threshold from out-of-fold scores of the training negatives (3 folds): in-sample scores
      // of rows the model was fitted on are too low to calibrate on.
      const oofNegatives: number[] = [];
      for (let k = 0; k < FOLDS; k++) {
        const inner = fit(train.filter((_, i) => i % FOLDS !== k));
        for (let i = k; i < train.length; i += FOLDS) if (train[i]!.label === 0) oofNegatives.push(inner.score(train[i]!.text));
      }
      const threshold = thresholdAt(oofNegatives, TARGET_FPR);
      const held = part.filter((r) => r.source === source).map((r) => ({ score: model.score(r.text), label: r.label, category: source }));
      oos.push(...held);
      const pos = held.filter((h) => h.label === 1);
      const neg = held.filter((h) => h.label === 0);
      const auc = rocAuc(held);
      sources.push({
        source,
        actionType,
        positives: pos.length,
        negatives: neg.length,
        threshold,
        recall: pos.length === 0 ? null : pos.filter((h) => h.score >= threshold).length / pos.length,
        fpr: neg.length === 0 ? null : neg.filter((h) => h.score >= threshold).length / neg.length,
        auc: Number.isNaN(auc) ? null : auc,
      });
    }
    if (oos.length > 0) pooledAuc[actionType] = rocAuc(oos);
  }
  return { sources, skipped, pooledAuc };
}

const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);

/** Plain-text table. */
export function formatIntentCrossSource(report: IntentCrossSourceReport): string {
  const lines = [
    `intent model (word n-grams), leave-one-source-out: fit without the source, threshold at ${TARGET_FPR * 100}% FPR of the training negatives (out-of-fold)`,
    `  ${'held-out source'.padEnd(28)} ${'type'.padEnd(9)} ${'recall'.padStart(8)} ${'FPR'.padStart(8)} ${'AUC'.padStart(6)}`,
  ];
  for (const s of report.sources) {
    lines.push(`  ${s.source.padEnd(28)} ${s.actionType.padEnd(9)} ${pct(s.recall).padStart(8)} ${pct(s.fpr).padStart(8)} ${(s.auc === null ? '-' : s.auc.toFixed(3)).padStart(6)}`);
  }
  for (const [t, auc] of Object.entries(report.pooledAuc)) lines.push(`  pooled out-of-source AUC (${t}): ${auc.toFixed(3)}`);
  for (const s of report.skipped) lines.push(`  skipped: ${s} (absent)`);
  return lines.join('\n');
}
