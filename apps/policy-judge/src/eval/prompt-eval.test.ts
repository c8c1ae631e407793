import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatPromptEvalReport, runPromptEval, type PromptEvalReport } from './prompt-eval.js';

const datasets = process.env.NETHICAL_DATASETS ?? fileURLToPath(new URL('../../../../../shared/datasets', import.meta.url));
const haveData = existsSync(`${datasets}/prompts/labelled_prompts.jsonl`);

describe('prompt evaluation', () => {
  it.skipIf(!haveData)('judges a sample of the labelled prompts and outputs and counts flags per group', async () => {
    const report = await runPromptEval(datasets, { limit: 20 });
    expect(report.items).toBe(40);
    const total = (r: PromptEvalReport['prompts']) => r.buckets.reduce((n, b) => n + b.total, 0);
    expect(total(report.prompts)).toBe(20);
    expect(total(report.outputs)).toBe(20);
    for (const b of [...report.prompts.buckets, ...report.outputs.buckets]) {
      expect(b.flagged).toBeLessThanOrEqual(b.total);
      expect(b.rate).toBeCloseTo(b.total === 0 ? 0 : b.flagged / b.total);
    }
    expect(report.overall.positives + report.overall.negatives).toBe(40);
    expect(report.detectorRuns['prompt-injection']).toBe(40);
    expect(formatPromptEvalReport(report)).toMatch(/overall: recall/);
  }, 120_000);

  it('formats a report as a table', () => {
    const summary = { positives: 10, negatives: 10, truePositives: 9, falsePositives: 1, recall: 0.9, falsePositiveRate: 0.1, precision: 0.9 };
    const report: PromptEvalReport = {
      policyRevision: 'p@1+abc',
      tiered: true,
      prompts: { buckets: [{ group: 'jailbreak', label: 1, total: 10, flagged: 9, rate: 0.9 }, { group: 'benign', label: 0, total: 10, flagged: 1, rate: 0.1 }], summary },
      outputs: { buckets: [], summary: { ...summary, positives: 0, negatives: 0, truePositives: 0, falsePositives: 0, recall: 0, falsePositiveRate: 0, precision: 0 } },
      overall: summary,
      detectorRuns: {},
      errors: [],
      items: 20,
      elapsedMs: 1234,
    };
    const text = formatPromptEvalReport(report);
    expect(text).toContain('jailbreak');
    expect(text).toMatch(/recall 90\.0%/);
    expect(text).toMatch(/FPR 10\.0%/);
    expect(text).toMatch(/precision 90\.0%/);
  });
});
