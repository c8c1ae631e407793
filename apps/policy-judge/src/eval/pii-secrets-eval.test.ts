import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatPiiSecretsEvalReport, llmGuardGold, runPiiSecretsEval } from './pii-secrets-eval.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../../..');
const datasetsDir = process.env.NETHICAL_DATASETS ?? resolve(repoRoot, '../shared/datasets');
const haveDatasets =
  existsSync(resolve(datasetsDir, 'pii')) && existsSync(resolve(datasetsDir, 'secrets'));

describe('llmGuardGold', () => {
  it('recovers spans and types from a redacted prompt after the preamble', () => {
    const prompt = 'Mail bo@x.io or call 555-0100 now';
    const expected =
      'Preamble text. Prompt: Mail [REDACTED_EMAIL_ADDRESS_1] or call [REDACTED_PHONE_NUMBER_1] now';
    expect(llmGuardGold(prompt, expected)).toEqual([
      { start: 5, end: 12, datasetType: 'EMAIL_ADDRESS' },
      { start: 21, end: 29, datasetType: 'PHONE_NUMBER' },
    ]);
  });
  it('returns null when the redacted text does not align with the prompt', () => {
    expect(llmGuardGold('abc', 'xyz [REDACTED_PERSON_1]')).toBeNull();
  });
});

describe.skipIf(!haveDatasets)('runPiiSecretsEval on the shared datasets', () => {
  it('scores every type, lists unsupported ones and stays above the regression floor', async () => {
    const report = await runPiiSecretsEval(datasetsDir);
    expect(report.pii.casesScored).toBeGreaterThan(1000);
    expect(report.pii.unsupported.length).toBeGreaterThan(0);
    // Floors a little under the measured figures (docs/redaction.md), to catch regressions.
    expect(report.pii.structured.recall).toBeGreaterThanOrEqual(0.9);
    expect(report.pii.structured.precision).toBeGreaterThanOrEqual(0.95);
    expect(report.secrets.overall.recall).toBeGreaterThanOrEqual(0.75);
    const text = formatPiiSecretsEvalReport(report);
    expect(text).toContain('STRUCTURED');
    expect(text).toContain('unsupported dataset types');
    expect(report.pii.perFile.map((f) => f.file)).toEqual(['pii/presidio_recognizer_cases.jsonl', 'pii/presidio_research_synth.jsonl', 'pii/llm_guard_anonymize_cases.jsonl']);
    expect(report.pii.perFile.reduce((n, f) => n + f.cases, 0)).toBe(report.pii.casesScored);
  });
});

describe('runPiiSecretsEval without data', () => {
  it('returns an empty report for a folder without the files', async () => {
    const report = await runPiiSecretsEval(resolve(repoRoot, 'does-not-exist'));
    expect(report.pii.casesScored).toBe(0);
    expect(report.secrets.overall.tp + report.secrets.overall.tn).toBe(0);
    expect(report.pii.perFile).toEqual([]);
  });
});
