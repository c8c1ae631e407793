import { createReadStream, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadPolicy, loadTaxonomy } from '../adapters/policy-loader.js';
import { isFlagged } from '../domain/decision.js';
import { loadSensitiveDataPort, type SensitiveDataPort } from '../domain/detectors/sensitive-data.js';
import type { ActionTypeName, DecisionName } from '../domain/finding.js';
import { createStandaloneJudge } from '../domain/standalone-judge.js';
import { createPolicyHandle } from '../domain/policy/policy-handle.js';

/**
 * Prompt evaluation: judge every labelled prompt (action type `message`) and every labelled
 * output (action type `response`) and count how many are FLAGGED, i.e. decided WARN or
 * stricter (WARN, BLOCK, QUARANTINE, ESCALATE, TERMINATE). ALLOW_WITH_MODIFICATION is not
 * flagged: it only redacts PII. Each item is judged by a fresh agent, so history does not leak
 * between items.
 */

export interface PromptEvalOptions {
  /** Policy directory (default `config/policies` of the repo). */
  policyDir?: string;
  taxonomyDir?: string;
  /** Tiered evaluation (enablePerformanceOptimization); default true. */
  tiered?: boolean;
  /** PII/secrets port; default: the real modules if present, else none. */
  sensitiveData?: SensitiveDataPort;
  /** Evaluate at most this many items per file (quick runs). */
  limit?: number;
}

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

export interface PromptEvalReport {
  policyRevision: string;
  tiered: boolean;
  prompts: { buckets: EvalBucket[]; summary: EvalSummary };
  outputs: { buckets: EvalBucket[]; summary: EvalSummary };
  overall: EvalSummary;
  /** Which detectors ran how often (tiering shows here). */
  detectorRuns: Record<string, number>;
  /** Ids of missed positives and flagged negatives (for analysis, not printed). */
  errors: Array<{ id: string; label: 0 | 1; group: string; decision: DecisionName }>;
  items: number;
  elapsedMs: number;
}

const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));

interface Row {
  id: string;
  text: string;
  label: number;
  category?: string;
  task?: string;
}

async function* readJsonl(path: string, limit: number): AsyncGenerator<Row> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    if (n++ >= limit) break;
    yield JSON.parse(line) as Row;
  }
}

const nullPort: SensitiveDataPort = {
  detectPii: () => [],
  detectSecrets: () => [],
  redact: (text) => ({ text, replacements: [] }),
};

/** Run the evaluation over `<datasetsDir>/prompts/labelled_{prompts,outputs}.jsonl`. */
export async function runPromptEval(datasetsDir: string, options: PromptEvalOptions = {}): Promise<PromptEvalReport> {
  const started = performance.now();
  const policy = await loadPolicy(options.policyDir ?? join(repoRoot, 'config/policies'));
  const taxonomy = await loadTaxonomy(options.taxonomyDir ?? join(repoRoot, 'config/taxonomy'));
  const sensitiveData = options.sensitiveData ?? (await loadSensitiveDataPort().catch(() => nullPort));
  const tiered = options.tiered ?? true;
  const judge = createStandaloneJudge({
    policy: createPolicyHandle(policy),
    sensitiveData,
    taxonomy,
    clock: () => 0,
    newId: () => 'eval',
    flags: {
      enableQuarantine: false,
      enableEthicalTaxonomy: true,
      enablePerformanceOptimization: tiered,
      enableShadowMode: false,
      enableMlBlending: false,
      redactionPolicy: 'standard',
    },
  });
  const detectorRuns: Record<string, number> = {};
  const errors: PromptEvalReport['errors'] = [];
  let items = 0;
  const run = async (file: string, actionType: ActionTypeName, groupOf: (r: Row) => string) => {
    const buckets = new Map<string, EvalBucket>();
    for await (const row of readJsonl(join(datasetsDir, 'prompts', file), options.limit ?? Infinity)) {
      const label: 0 | 1 = row.label === 1 || String(row.label) === '1' ? 1 : 0;
      const group = groupOf(row);
      const key = `${group}|${label}`;
      const bucket = buckets.get(key) ?? { group, label, total: 0, flagged: 0, rate: 0 };
      buckets.set(key, bucket);
      const outcome = await judge.judge({
        actionId: row.id,
        agentId: `eval-${items++}`,
        tenantId: 'eval',
        actionType,
        content: row.text,
      });
      for (const d of outcome.detectorsRun) detectorRuns[d] = (detectorRuns[d] ?? 0) + 1;
      bucket.total++;
      const flagged = isFlagged(outcome.decision);
      if (flagged) bucket.flagged++;
      if (flagged !== (label === 1)) errors.push({ id: row.id, label, group, decision: outcome.decision });
    }
    const list = [...buckets.values()].sort((a, b) => b.label - a.label || a.group.localeCompare(b.group));
    for (const b of list) b.rate = b.total === 0 ? 0 : b.flagged / b.total;
    return { buckets: list, summary: summarise(list) };
  };
  const prompts = await run('labelled_prompts.jsonl', 'message', (r) => r.category ?? 'unknown');
  const outputs = await run('labelled_outputs.jsonl', 'response', (r) => (Number(r.label) === 1 ? 'harmful_response' : 'refusal_or_benign'));
  return {
    policyRevision: policy.revision,
    tiered,
    prompts,
    outputs,
    overall: summarise([...prompts.buckets, ...outputs.buckets]),
    detectorRuns,
    errors,
    items,
    elapsedMs: performance.now() - started,
  };
}

function summarise(buckets: EvalBucket[]): EvalSummary {
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

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** A plain-text table of the report. */
export function formatPromptEvalReport(report: PromptEvalReport): string {
  const lines: string[] = [];
  lines.push(`policy ${report.policyRevision}  tiered=${report.tiered}  items=${report.items}  ${(report.elapsedMs / 1000).toFixed(1)} s`);
  const section = (title: string, part: { buckets: EvalBucket[]; summary: EvalSummary }) => {
    lines.push('', title, `${'group'.padEnd(28)} ${'label'.padStart(5)} ${'total'.padStart(6)} ${'flagged'.padStart(8)}  rate`);
    for (const b of part.buckets) {
      const kind = b.label === 1 ? 'recall' : 'FPR';
      lines.push(`${b.group.padEnd(28)} ${String(b.label).padStart(5)} ${String(b.total).padStart(6)} ${String(b.flagged).padStart(8)}  ${kind} ${pct(b.rate)}`);
    }
    lines.push(summaryLine(part.summary));
  };
  section('prompts (action type message)', report.prompts);
  section('outputs (action type response)', report.outputs);
  lines.push('', `overall: ${summaryLine(report.overall)}`);
  return lines.join('\n');
}

function summaryLine(s: EvalSummary): string {
  return `recall ${pct(s.recall)} (${s.truePositives}/${s.positives})  FPR ${pct(s.falsePositiveRate)} (${s.falsePositives}/${s.negatives})  precision ${pct(s.precision)}`;
}

// CLI: npx tsx apps/policy-judge/src/eval/prompt-eval.ts [datasetsDir] [--untiered]
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--')) ?? process.env.NETHICAL_DATASETS ?? join(repoRoot, '../shared/datasets');
  if (!existsSync(join(dir, 'prompts'))) {
    process.stderr.write(`no datasets at ${dir}: skipping\n`);
  } else {
    const report = await runPromptEval(dir, { tiered: !args.includes('--untiered') });
    process.stdout.write(`${formatPromptEvalReport(report)}\n`);
    if (args.includes('--errors')) process.stdout.write(`${JSON.stringify(report.errors)}\n`);
  }
}
