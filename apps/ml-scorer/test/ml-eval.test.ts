/**
 * Quality floors of the shipped model on the held-out TEST split of the shared datasets (skipped
 * when the folder is missing). Floors sit below the measured figures (see docs/ml.md) so a
 * regression fails and ordinary retraining noise does not.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { datasetsAvailable, defaultDatasetsDir, loadExamples } from '../src/train/dataset';
import { DEFAULT_MODEL_FILE, formatMlEvalReport, runMlEval } from '../src/train/ml-eval';

const dir = defaultDatasetsDir();
const available = await datasetsAvailable(dir);

describe.skipIf(!available)('ml eval on the held-out split', () => {
  it('reaches the stated floors', async () => {
    const report = await runMlEval(dir);
    const m = report.metrics!;
    expect(report.split).toBe('test');
    expect(m.prompts.count).toBeGreaterThan(300);
    expect(m.prompts.auc).toBeGreaterThanOrEqual(0.95);
    expect(m.prompts.recallAtFpr).toBeGreaterThanOrEqual(0.75);
    expect(m.responses.auc).toBeGreaterThanOrEqual(0.9);
    expect(m.pooled.auc).toBeGreaterThanOrEqual(0.93);
    expect(formatMlEvalReport(report)).toContain('AUC');
  });

  it('reports output negatives as refusals, not under the harmful task', async () => {
    const responses = (await loadExamples(dir)).filter((e) => e.actionType === 'response');
    expect(responses.some((e) => e.label === 0)).toBe(true);
    for (const e of responses)
      expect(e.category === 'response:refusal_or_benign').toBe(e.label === 0);
  });

  it('the shipped model file holds no dataset text', async () => {
    const json = await readFile(DEFAULT_MODEL_FILE, 'utf8');
    const file = JSON.parse(json) as { hashedWeights: { data: string } };
    // Everything but the base64 weights: keys, version, numbers. No phrase of 3+ words.
    const withoutWeights = json.replace(file.hashedWeights.data, '');
    expect(withoutWeights).not.toMatch(/[A-Za-z]+ [A-Za-z]+ [A-Za-z]+/);
    const lowered = withoutWeights.toLowerCase();
    for (const ex of await loadExamples(dir)) {
      const probe = ex.text.trim().slice(0, 24).toLowerCase();
      if (probe.length >= 12) expect(lowered.includes(probe)).toBe(false);
    }
  });
});

describe('ml eval without datasets', () => {
  it('skips cleanly and says why', async () => {
    const report = await runMlEval('/nonexistent/datasets');
    expect(report.skipped).toContain('/nonexistent/datasets');
    expect(formatMlEvalReport(report)).toContain('skipped');
  });
});
