/**
 * `runMlEval`: scores the held-out TEST split with the shipped model and reports AUC, recall at
 * 3% FPR and per-category results. Wired into `npx nethical eval` by the CLI.
 */
import { fileURLToPath } from 'node:url';
import { loadModel } from '../domain/model';
import { datasetsAvailable, loadExamples } from './dataset';
import { evaluateExamples, type SplitMetrics } from './evaluate';
import type { SetMetrics } from './metrics';

/** The model shipped with the service (the one `main.ts` should load by default). */
export const DEFAULT_MODEL_FILE = fileURLToPath(
  new URL('../../models/risk-lr-v1.json', import.meta.url),
);

/** Result of `runMlEval`. `skipped` is set (and metrics absent) when the datasets folder is missing. */
export interface MlEvalReport {
  datasetsDir: string;
  modelVersion: string;
  skipped?: string;
  split?: 'test';
  metrics?: SplitMetrics;
}

/** Evaluates `modelFile` (default: the shipped model) on the held-out split of `datasetsDir`. */
export async function runMlEval(
  datasetsDir: string,
  modelFile: string = DEFAULT_MODEL_FILE,
): Promise<MlEvalReport> {
  const model = await loadModel(modelFile);
  if (!(await datasetsAvailable(datasetsDir))) {
    return {
      datasetsDir,
      modelVersion: model.modelVersion,
      skipped: `no datasets at ${datasetsDir}`,
    };
  }
  const test = (await loadExamples(datasetsDir)).filter((e) => e.split === 'test');
  return {
    datasetsDir,
    modelVersion: model.modelVersion,
    split: 'test',
    metrics: evaluateExamples(model, test),
  };
}

const pct = (x: number): string =>
  Number.isNaN(x) ? '  n/a' : `${(100 * x).toFixed(1).padStart(5)}%`;

function formatSet(title: string, m: SetMetrics): string[] {
  const lines = [
    `${title}: n=${m.count} (${m.positives} risky)  AUC ${m.auc.toFixed(4)}  ` +
      `recall@${(100 * m.targetFpr).toFixed(0)}%FPR ${pct(m.recallAtFpr)}  (FPR ${pct(m.fprAtThreshold)}, threshold ${m.threshold.toFixed(4)})`,
  ];
  for (const c of m.categories) {
    lines.push(
      `  ${c.label === 1 ? 'recall' : 'FPR   '} ${pct(c.flagged)}  ${c.category} (n=${c.count})`,
    );
  }
  return lines;
}

/** Renders a report as plain text for the terminal. */
export function formatMlEvalReport(report: MlEvalReport): string {
  const head = `ml-scorer model ${report.modelVersion} on ${report.datasetsDir}`;
  if (report.skipped !== undefined || report.metrics === undefined)
    return `${head}: skipped (${report.skipped ?? 'no metrics'})`;
  const m = report.metrics;
  return [
    `${head}, held-out ${report.split} split`,
    ...formatSet('prompts (message)', m.prompts),
    ...formatSet('outputs (response)', m.responses),
    ...formatSet('pooled', m.pooled),
  ].join('\n');
}
