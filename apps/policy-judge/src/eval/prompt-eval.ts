import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadPolicy, loadTaxonomy } from '../adapters/policy-loader.js';
import { isFlagged } from '../domain/decision.js';
import { loadSensitiveDataPort, type SensitiveDataPort } from '../domain/detectors/sensitive-data.js';
import type { DecisionName } from '../domain/finding.js';
import type { JudgeDeps } from '../domain/judge-types.js';
import type { CompiledPolicy } from '../domain/policy/compile-policy.js';
import { createPolicyHandle } from '../domain/policy/policy-handle.js';
import { createStandaloneJudge } from '../domain/standalone-judge.js';
import type { Taxonomy } from '../domain/taxonomy/taxonomy.js';
import { readLabelledData, type LabelledRow } from './labelled-files.js';
import { formatPromptEvalReport, summarise, type EvalBucket, type EvalSummary } from './prompt-eval-report.js';

export { formatPromptEvalReport, summarise, type EvalBucket, type EvalSummary };

/**
 * Prompt evaluation: judge every labelled prompt (action type `message`, both prompt files) and
 * every labelled output (action type `response`) and count how many are FLAGGED, i.e. decided
 * WARN or stricter. ALLOW_WITH_MODIFICATION is not flagged: it only redacts PII. Each item is
 * judged by a fresh agent, so history does not leak between items. Every file is reported on its
 * own, by category and by source; a file that is absent is listed as skipped.
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

/** The figures of one labelled file. */
export interface FileReport {
  file: string;
  actionType: string;
  summary: EvalSummary;
  byCategory: EvalBucket[];
  bySource: EvalBucket[];
}

export interface PromptEvalReport {
  policyRevision: string;
  tiered: boolean;
  files: FileReport[];
  /** Expected files that were absent (not evaluated). */
  skipped: string[];
  /** Both prompt files together (agent inputs: the detection target). */
  prompts: EvalSummary;
  /** The outputs file (harmful response vs refusal). */
  outputs: EvalSummary;
  overall: EvalSummary;
  /** Which detectors ran how often (tiering shows here). */
  detectorRuns: Record<string, number>;
  /** Ids of missed positives and flagged negatives (for analysis, not printed). */
  errors: Array<{ id: string; label: 0 | 1; group: string; decision: DecisionName }>;
  items: number;
  elapsedMs: number;
  /** Every judged row (for the cross-source view; not written to JSON). */
  judged: JudgedRow[];
}

const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));

const nullPort: SensitiveDataPort = {
  detectPii: () => [],
  detectSecrets: () => [],
  redact: (text) => ({ text, replacements: [] }),
};

/** What the evaluation judges with: the compiled policy, taxonomy and PII/secrets port. */
export interface EvalSetup {
  policy: CompiledPolicy;
  taxonomy: Taxonomy;
  sensitiveData: SensitiveDataPort;
  tiered: boolean;
}

/** Loads the shipped policy and taxonomy (or those named in `options`). */
export async function loadEvalSetup(options: PromptEvalOptions = {}): Promise<EvalSetup> {
  return {
    policy: await loadPolicy(options.policyDir ?? join(repoRoot, 'config/policies')),
    taxonomy: await loadTaxonomy(options.taxonomyDir ?? join(repoRoot, 'config/taxonomy')),
    sensitiveData: options.sensitiveData ?? (await loadSensitiveDataPort().catch(() => nullPort)),
    tiered: options.tiered ?? true,
  };
}

/** One judged row. */
export interface JudgedRow {
  row: LabelledRow;
  flagged: boolean;
  decision: DecisionName;
  detectorsRun: string[];
}

/**
 * Judges `rows` with a fresh standalone judge (quarantine off, a new agent per row). `extra`
 * overrides judge dependencies (the cross-source check passes a retrained intent model).
 */
export async function judgeRows(setup: EvalSetup, rows: readonly LabelledRow[], extra: Partial<JudgeDeps> = {}): Promise<JudgedRow[]> {
  const judge = createStandaloneJudge({
    policy: createPolicyHandle(setup.policy),
    sensitiveData: setup.sensitiveData,
    taxonomy: setup.taxonomy,
    clock: () => 0,
    newId: () => 'eval',
    flags: {
      enableQuarantine: false,
      enableEthicalTaxonomy: true,
      enablePerformanceOptimization: setup.tiered,
      enableShadowMode: false,
      enableMlBlending: false,
      redactionPolicy: 'standard',
    },
    ...extra,
  });
  const out: JudgedRow[] = [];
  let n = 0;
  for (const row of rows) {
    const outcome = await judge.judge({ actionId: row.id, agentId: `eval-${n++}`, tenantId: 'eval', actionType: row.actionType, content: row.text });
    out.push({ row, flagged: isFlagged(outcome.decision), decision: outcome.decision, detectorsRun: outcome.detectorsRun });
  }
  return out;
}

/** Counts flags per `keyOf` group and label. */
export function bucketsOf(judged: readonly JudgedRow[], keyOf: (r: LabelledRow) => string): EvalBucket[] {
  const buckets = new Map<string, EvalBucket>();
  for (const j of judged) {
    const group = keyOf(j.row);
    const key = `${group}|${j.row.label}`;
    const b = buckets.get(key) ?? { group, label: j.row.label, total: 0, flagged: 0, rate: 0 };
    buckets.set(key, b);
    b.total++;
    if (j.flagged) b.flagged++;
  }
  const list = [...buckets.values()].sort((a, b) => b.label - a.label || a.group.localeCompare(b.group));
  for (const b of list) b.rate = b.total === 0 ? 0 : b.flagged / b.total;
  return list;
}

/** Run the evaluation over `<datasetsDir>/prompts/labelled_*.jsonl`. */
export async function runPromptEval(datasetsDir: string, options: PromptEvalOptions = {}, setupIn?: EvalSetup): Promise<PromptEvalReport> {
  const started = performance.now();
  const setup = setupIn ?? (await loadEvalSetup(options));
  const data = readLabelledData(datasetsDir, options.limit ?? Infinity);
  const judged = await judgeRows(setup, data.rows);
  const detectorRuns: Record<string, number> = {};
  for (const j of judged) for (const d of j.detectorsRun) detectorRuns[d] = (detectorRuns[d] ?? 0) + 1;
  const files: FileReport[] = data.files.map((file) => {
    const part = judged.filter((j) => j.row.file === file);
    const byCategory = bucketsOf(part, (r) => r.category);
    return { file, actionType: part[0]?.row.actionType ?? 'message', summary: summarise(byCategory), byCategory, bySource: bucketsOf(part, (r) => r.source) };
  });
  const of = (pred: (j: JudgedRow) => boolean) => summarise(bucketsOf(judged.filter(pred), (r) => r.category));
  return {
    policyRevision: setup.policy.revision,
    tiered: setup.tiered,
    files,
    skipped: data.skipped,
    prompts: of((j) => j.row.actionType === 'message'),
    outputs: of((j) => j.row.actionType === 'response'),
    overall: of(() => true),
    detectorRuns,
    errors: judged
      .filter((j) => j.flagged !== (j.row.label === 1))
      .map((j) => ({ id: j.row.id, label: j.row.label, group: `${j.row.file}:${j.row.category}`, decision: j.decision })),
    items: judged.length,
    judged,
    elapsedMs: performance.now() - started,
  };
}

// CLI: npx tsx apps/policy-judge/src/eval/prompt-eval.ts [datasetsDir] [--untiered] [--errors]
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
