/** Counts and text tables of the prompt evaluation (kept apart from the judging loop). */

/** Counts for one group of items. */
export interface EvalBucket {
  group: string;
  /** 1 = should be flagged, 0 = should pass. */
  label: 0 | 1;
  total: number;
  flagged: number;
  /** flagged / total: recall for label 1, false-positive rate for label 0. */
  rate: number;
}

export interface EvalSummary {
  positives: number;
  negatives: number;
  truePositives: number;
  falsePositives: number;
  recall: number;
  falsePositiveRate: number;
  precision: number;
}

/** Pools buckets into recall, false-positive rate and precision. */
export function summarise(buckets: readonly EvalBucket[]): EvalSummary {
  let positives = 0;
  let negatives = 0;
  let tp = 0;
  let fp = 0;
  for (const b of buckets) {
    if (b.label === 1) {
      positives += b.total;
      tp += b.flagged;
    } else {
      negatives += b.total;
      fp += b.flagged;
    }
  }
  return {
    positives,
    negatives,
    truePositives: tp,
    falsePositives: fp,
    recall: positives === 0 ? 0 : tp / positives,
    falsePositiveRate: negatives === 0 ? 0 : fp / negatives,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
  };
}

export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** One line: recall, FPR and precision with their counts. */
export function summaryLine(s: EvalSummary): string {
  return `recall ${pct(s.recall)} (${s.truePositives}/${s.positives})  FPR ${pct(s.falsePositiveRate)} (${s.falsePositives}/${s.negatives})  precision ${pct(s.precision)}`;
}

/** Table rows for buckets. */
export function bucketLines(buckets: readonly EvalBucket[]): string[] {
  const lines = [`  ${'group'.padEnd(30)} ${'label'.padStart(5)} ${'total'.padStart(6)} ${'flagged'.padStart(8)}  rate`];
  for (const b of buckets) {
    const kind = b.label === 1 ? 'recall' : 'FPR';
    lines.push(`  ${b.group.padEnd(30)} ${String(b.label).padStart(5)} ${String(b.total).padStart(6)} ${String(b.flagged).padStart(8)}  ${kind} ${pct(b.rate)}`);
  }
  return lines;
}

/** The parts of a prompt-eval report the table needs. */
export interface PrintableReport {
  policyRevision: string;
  tiered: boolean;
  items: number;
  elapsedMs: number;
  skipped: string[];
  files: Array<{ file: string; actionType: string; summary: EvalSummary; byCategory: EvalBucket[]; bySource: EvalBucket[] }>;
  prompts: EvalSummary;
  outputs: EvalSummary;
  overall: EvalSummary;
}

/** A plain-text table of the report: every file by category and by source. */
export function formatPromptEvalReport(report: PrintableReport): string {
  const lines: string[] = [];
  lines.push(`policy ${report.policyRevision}  tiered=${report.tiered}  items=${report.items}  ${(report.elapsedMs / 1000).toFixed(1)} s`);
  for (const s of report.skipped) lines.push(`skipped: ${s} (absent)`);
  for (const f of report.files) {
    lines.push('', `${f.file} (action type ${f.actionType})`, '  by category', ...bucketLines(f.byCategory), '  by source', ...bucketLines(f.bySource));
    lines.push(`  ${summaryLine(f.summary)}`);
  }
  lines.push('', `prompts (both prompt files): ${summaryLine(report.prompts)}`);
  lines.push(`outputs: ${summaryLine(report.outputs)}`);
  lines.push(`overall: ${summaryLine(report.overall)}`);
  return lines.join('\n');
}
