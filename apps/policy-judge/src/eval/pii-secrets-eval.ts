/**
 * Offline evaluation of PII and secret detection against the shared datasets.
 *
 * PII matching is by span overlap: a gold span counts as found (TP) when a predicted entity of
 * the mapped type overlaps it by at least one code unit; a prediction counts as correct when it
 * overlaps a gold span of a dataset type mapped to its type. Recognizer cases only label one
 * entity type, so there a prediction is scored only if its type is the case's mapped type;
 * research-synth cases label every entity, so every scorable prediction counts; llm-guard
 * expected outputs are complete only for the types they redact, so only those are scored.
 * Cases whose spans the dataset marks incomplete are skipped. Secrets are scored per case: a
 * positive case is found when at least one secret entity is reported; any entity on a negative
 * case is a false positive.
 *
 * Usage: `npx tsx apps/policy-judge/src/eval/pii-secrets-eval.ts [datasetsDir]`
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SensitiveEntity } from '../domain/finding.js';
import { detectPii } from '../domain/pii/index.js';
import { detectSecrets } from '../domain/secrets/index.js';

/** Dataset entity type → our entity types accepted for it. Unlisted dataset types are unsupported. */
export const DATASET_TYPE_MAP: Readonly<Record<string, readonly string[]>> = {
  EMAIL_ADDRESS: ['EMAIL'],
  EMAIL_ADDRESS_RE: ['EMAIL'],
  US_SSN_RE: ['US_SSN'],
  PHONE_NUMBER: ['PHONE'],
  PH_MOBILE_NUMBER: ['PHONE'],
  TR_PHONE_NUMBER: ['PHONE'],
  PHONE_NUMBER_ZH: ['PHONE'],
  US_SSN: ['US_SSN'],
  US_ITIN: ['US_ITIN'],
  CREDIT_CARD: ['CREDIT_CARD'],
  CREDIT_CARD_RE: ['CREDIT_CARD'],
  IBAN_CODE: ['IBAN'],
  IP_ADDRESS: ['IP_ADDRESS'],
  MAC_ADDRESS: ['MAC_ADDRESS'],
  ABA_ROUTING_NUMBER: ['US_BANK_ROUTING'],
  US_BANK_NUMBER: ['US_BANK_ACCOUNT'],
  CRYPTO: ['CRYPTO_WALLET'],
  URL: ['URL', 'URL_WITH_CREDENTIALS'],
  DOMAIN_NAME: ['URL'],
  DATE_TIME: ['DATE', 'DATE_OF_BIRTH'],
  US_PASSPORT: ['PASSPORT'],
  UK_PASSPORT: ['PASSPORT'],
  US_DRIVER_LICENSE: ['DRIVER_LICENSE'],
  UK_DRIVING_LICENCE: ['DRIVER_LICENSE'],
  UK_NHS: ['UK_NHS'],
  UK_NINO: ['UK_NINO'],
  ES_NIF: ['NATIONAL_ID'],
  ES_NIE: ['NATIONAL_ID'],
  SG_NRIC_FIN: ['NATIONAL_ID'],
  IN_PAN: ['NATIONAL_ID'],
  IN_AADHAAR: ['NATIONAL_ID'],
  FI_PERSONAL_IDENTITY_CODE: ['NATIONAL_ID'],
  TR_NATIONAL_ID: ['NATIONAL_ID'],
  PL_PESEL: ['NATIONAL_ID'],
  CA_SIN: ['NATIONAL_ID'],
  SE_PERSONNUMMER: ['NATIONAL_ID'],
  ZA_ID_NUMBER: ['NATIONAL_ID'],
  IT_FISCAL_CODE: ['NATIONAL_ID'],
  KR_RRN: ['NATIONAL_ID'],
  AU_TFN: ['NATIONAL_ID'],
  AU_ABN: ['NATIONAL_ID'],
  PERSON: ['PERSON'],
  STREET_ADDRESS: ['STREET_ADDRESS'],
  ADDRESS: ['STREET_ADDRESS'],
};

/** Our types counted as "structured PII" (the ≥95% recall/precision target). */
export const STRUCTURED_TYPES: readonly string[] = [
  'EMAIL',
  'PHONE',
  'US_SSN',
  'US_ITIN',
  'CREDIT_CARD',
  'IBAN',
  'IP_ADDRESS',
  'MAC_ADDRESS',
  'US_BANK_ROUTING',
  'CRYPTO_WALLET',
];

/** Per-type counts and rates (rates are null when undefined: no gold or no predictions). */
export interface TypeMetrics {
  type: string;
  tp: number;
  fn: number;
  fp: number;
  recall: number | null;
  precision: number | null;
}

/** Secret detection counts per source (gitleaks, detect-secrets, llm-guard) and overall. */
export interface SecretMetrics {
  source: string;
  tp: number;
  fn: number;
  fp: number;
  tn: number;
  recall: number | null;
  precision: number | null;
  fpr: number | null;
}

/** The full report. */
export interface PiiSecretsEvalReport {
  datasetsDir: string;
  pii: {
    perType: TypeMetrics[];
    structured: TypeMetrics;
    overall: TypeMetrics;
    /** Dataset entity types we do not detect, with their gold-span counts (not scored). */
    unsupported: Array<{ datasetType: string; goldSpans: number }>;
    casesScored: number;
    casesSkippedIncomplete: number;
    /** The same figures for each PII file on its own (absent files are not listed). */
    perFile: Array<{ file: string; cases: number; structured: TypeMetrics; overall: TypeMetrics }>;
  };
  secrets: {
    perSource: SecretMetrics[];
    overall: SecretMetrics;
    missedIds: string[];
    falsePositiveIds: string[];
  };
}

interface GoldSpan {
  start: number;
  end: number;
  datasetType: string;
}
interface Counts {
  tp: number;
  fn: number;
  fp: number;
}

function readJsonl(path: string): Array<Record<string, unknown>> {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean =>
  a.start < b.end && b.start < a.end;
const rate = (num: number, den: number): number | null => (den === 0 ? null : num / den);

class Scorer {
  readonly counts = new Map<string, Counts>();
  readonly unsupported = new Map<string, number>();
  private get(type: string): Counts {
    let c = this.counts.get(type);
    if (c === undefined) this.counts.set(type, (c = { tp: 0, fn: 0, fp: 0 }));
    return c;
  }
  /** Score one text. `scopeTypes`: our types whose predictions are scorable here (null = all mapped). */
  score(
    gold: GoldSpan[],
    predicted: SensitiveEntity[],
    scopeTypes: ReadonlySet<string> | null,
  ): void {
    for (const g of gold) {
      const ours = DATASET_TYPE_MAP[g.datasetType];
      if (ours === undefined) {
        this.unsupported.set(g.datasetType, (this.unsupported.get(g.datasetType) ?? 0) + 1);
        continue;
      }
      const hit = predicted.some((p) => ours.includes(p.type) && overlaps(p, g));
      const c = this.get(ours[0] ?? g.datasetType);
      if (hit) c.tp++;
      else c.fn++;
    }
    for (const p of predicted) {
      if (scopeTypes !== null && !scopeTypes.has(p.type)) continue;
      if (!MAPPED_OUR_TYPES.has(p.type)) continue;
      const ok = gold.some(
        (g) => (DATASET_TYPE_MAP[g.datasetType] ?? []).includes(p.type) && overlaps(p, g),
      );
      if (!ok) this.get(PRIMARY_OF[p.type] ?? p.type).fp++;
    }
  }
}

const MAPPED_OUR_TYPES = new Set(Object.values(DATASET_TYPE_MAP).flat());
/** Secondary accepted types report under the primary one (DATE_OF_BIRTH under DATE). */
const PRIMARY_OF: Record<string, string> = { DATE_OF_BIRTH: 'DATE', URL_WITH_CREDENTIALS: 'URL' };

function metrics(type: string, c: Counts): TypeMetrics {
  return { type, ...c, recall: rate(c.tp, c.tp + c.fn), precision: rate(c.tp, c.tp + c.fp) };
}

function sum(list: Counts[]): Counts {
  return list.reduce((a, c) => ({ tp: a.tp + c.tp, fn: a.fn + c.fn, fp: a.fp + c.fp }), {
    tp: 0,
    fn: 0,
    fp: 0,
  });
}

const PLACEHOLDER_RE = /\[REDACTED_([A-Z_]+?)_\d+\]/g;

/** Recover gold spans from an llm-guard case by aligning the prompt with its redacted form. */
export function llmGuardGold(prompt: string, expected: string): GoldSpan[] | null {
  // Expected outputs may start with llm-guard's preamble, which ends in "Prompt: " (English)
  // or "提示：" (Chinese); the prompt proper follows it.
  const marker = /Prompt: |提示：/.exec(expected);
  const body =
    marker !== null && !prompt.startsWith(expected.slice(0, marker.index + marker[0].length))
      ? expected.slice(marker.index + marker[0].length)
      : expected;
  const gold: GoldSpan[] = [];
  let pos = 0;
  let last = 0;
  let pending: string | null = null;
  const pieces: Array<{ literal: string; type: string | null }> = [];
  PLACEHOLDER_RE.lastIndex = 0;
  for (let m = PLACEHOLDER_RE.exec(body); m !== null; m = PLACEHOLDER_RE.exec(body)) {
    pieces.push({ literal: body.slice(last, m.index), type: m[1] ?? null });
    last = m.index + m[0].length;
  }
  pieces.push({ literal: body.slice(last), type: null });
  for (const piece of pieces) {
    const at =
      pending === null
        ? prompt.startsWith(piece.literal, pos)
          ? pos
          : -1
        : prompt.indexOf(piece.literal, pos + 1);
    if (at < 0) return null;
    if (pending !== null) gold.push({ start: pos, end: at, datasetType: pending });
    pos = at + piece.literal.length;
    pending = piece.type;
  }
  return gold;
}

function scoreSecrets(rows: Array<Record<string, unknown>>): PiiSecretsEvalReport['secrets'] {
  const bySource = new Map<string, { tp: number; fn: number; fp: number; tn: number }>();
  const missedIds: string[] = [];
  const falsePositiveIds: string[] = [];
  for (const row of rows) {
    const text = String(row.text ?? '');
    const source = String(row.detector ?? row.source ?? 'unknown').split(':')[0] ?? 'unknown';
    const c = bySource.get(source) ?? { tp: 0, fn: 0, fp: 0, tn: 0 };
    bySource.set(source, c);
    const found = detectSecrets(text);
    const expected = typeof row.expected_secret === 'string' ? row.expected_secret : null;
    const at = expected === null ? -1 : text.indexOf(expected);
    const hit =
      at >= 0
        ? found.some((e) => overlaps(e, { start: at, end: at + (expected ?? '').length }))
        : found.length > 0;
    if (row.label === 1) {
      if (hit) c.tp++;
      else {
        c.fn++;
        missedIds.push(String(row.id));
      }
    } else if (found.length > 0) {
      c.fp++;
      falsePositiveIds.push(String(row.id));
    } else c.tn++;
  }
  const toMetrics = (
    source: string,
    c: { tp: number; fn: number; fp: number; tn: number },
  ): SecretMetrics => ({
    source,
    ...c,
    recall: rate(c.tp, c.tp + c.fn),
    precision: rate(c.tp, c.tp + c.fp),
    fpr: rate(c.fp, c.fp + c.tn),
  });
  const all = [...bySource.values()].reduce(
    (a, c) => ({ tp: a.tp + c.tp, fn: a.fn + c.fn, fp: a.fp + c.fp, tn: a.tn + c.tn }),
    { tp: 0, fn: 0, fp: 0, tn: 0 },
  );
  return {
    perSource: [...bySource.entries()].sort().map(([s, c]) => toMetrics(s, c)),
    overall: toMetrics('all', all),
    missedIds,
    falsePositiveIds,
  };
}

/** Run the evaluation over `datasetsDir` (the folder holding `pii/` and `secrets/`). */
export async function runPiiSecretsEval(datasetsDir: string): Promise<PiiSecretsEvalReport> {
  const all = new Scorer();
  let scored = 0;
  let skipped = 0;
  const perFile: PiiSecretsEvalReport['pii']['perFile'] = [];
  let fileScorer = new Scorer();
  let fileCases = 0;
  // Every case is scored twice: into the pooled figures and into its file's own.
  const scorer = {
    score: (...args: Parameters<Scorer['score']>) => {
      all.score(...args);
      fileScorer.score(...args);
      fileCases++;
    },
  };
  const closeFile = (file: string) => {
    if (existsSync(join(datasetsDir, file))) {
      const counts = [...fileScorer.counts.entries()];
      perFile.push({
        file,
        cases: fileCases,
        structured: metrics('STRUCTURED', sum(counts.filter(([t]) => STRUCTURED_TYPES.includes(t)).map(([, c]) => c))),
        overall: metrics('ALL', sum(counts.map(([, c]) => c))),
      });
    }
    fileScorer = new Scorer();
    fileCases = 0;
  };
  for (const row of readJsonl(join(datasetsDir, 'pii/presidio_recognizer_cases.jsonl'))) {
    if (row.spans_complete === false) {
      skipped++;
      continue;
    }
    const text = String(row.text ?? '');
    const datasetType = String(row.entity_type);
    const spans = (row.expected_spans as Array<{ start: number; end: number }> | undefined) ?? [];
    const gold = spans.map((s) => ({ start: s.start, end: s.end, datasetType }));
    const scope = new Set(DATASET_TYPE_MAP[datasetType] ?? []);
    scorer.score(gold, detectPii(text, { policy: 'aggressive' }), scope);
    scored++;
  }
  closeFile('pii/presidio_recognizer_cases.jsonl');
  for (const row of readJsonl(join(datasetsDir, 'pii/presidio_research_synth.jsonl'))) {
    const spans =
      (row.spans as Array<{ start: number; end: number; entity_type: string }> | undefined) ?? [];
    scorer.score(
      spans.map((s) => ({ start: s.start, end: s.end, datasetType: s.entity_type })),
      detectPii(String(row.text ?? ''), { policy: 'aggressive' }),
      null,
    );
    scored++;
  }
  closeFile('pii/presidio_research_synth.jsonl');
  for (const row of readJsonl(join(datasetsDir, 'pii/llm_guard_anonymize_cases.jsonl'))) {
    const prompt = String(row.prompt ?? '');
    const gold = llmGuardGold(prompt, String(row.expected_prompt ?? ''));
    if (gold === null) {
      skipped++;
      continue;
    }
    // Expected outputs come from particular NER configurations and leave other PII in place
    // (the résumé cases keep their phone numbers), so labels are complete only for the types
    // the expected output redacts: predictions are scored for those types only.
    const scope = new Set(gold.flatMap((g) => DATASET_TYPE_MAP[g.datasetType] ?? []));
    scorer.score(gold, detectPii(prompt, { policy: 'aggressive' }), scope);
    scored++;
  }
  closeFile('pii/llm_guard_anonymize_cases.jsonl');
  const scorerAll = all;
  await Promise.resolve();
  const perType = [...scorerAll.counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, c]) => metrics(t, c));
  const structuredCounts = sum(
    [...scorerAll.counts.entries()].filter(([t]) => STRUCTURED_TYPES.includes(t)).map(([, c]) => c),
  );
  return {
    datasetsDir,
    pii: {
      perType,
      structured: metrics('STRUCTURED', structuredCounts),
      overall: metrics('ALL', sum([...scorerAll.counts.values()])),
      unsupported: [...scorerAll.unsupported.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([datasetType, goldSpans]) => ({ datasetType, goldSpans })),
      casesScored: scored,
      casesSkippedIncomplete: skipped,
      perFile,
    },
    secrets: scoreSecrets(readJsonl(join(datasetsDir, 'secrets/secret_cases.jsonl'))),
  };
}

const pct = (x: number | null): string =>
  x === null ? '   n/a' : `${(x * 100).toFixed(1).padStart(5)}%`;

/** Render the report as a plain-text table. */
export function formatPiiSecretsEvalReport(report: PiiSecretsEvalReport): string {
  const lines = [
    `PII / secrets evaluation over ${report.datasetsDir}`,
    '',
    'PII (span overlap, policy aggressive)',
  ];
  lines.push(
    `${'type'.padEnd(20)} ${'recall'.padStart(7)} ${'prec.'.padStart(7)} ${'tp'.padStart(5)} ${'fn'.padStart(5)} ${'fp'.padStart(5)}`,
  );
  const row = (m: TypeMetrics): string =>
    `${m.type.padEnd(20)} ${pct(m.recall).padStart(7)} ${pct(m.precision).padStart(7)} ${String(m.tp).padStart(5)} ${String(m.fn).padStart(5)} ${String(m.fp).padStart(5)}`;
  for (const m of report.pii.perType) lines.push(row(m));
  lines.push(row(report.pii.structured), row(report.pii.overall));
  lines.push(
    `cases scored ${report.pii.casesScored}, skipped (incomplete spans / unalignable) ${report.pii.casesSkippedIncomplete}`,
  );
  for (const f of report.pii.perFile) {
    lines.push(
      `  ${f.file}: ${f.cases} cases, structured recall ${pct(f.structured.recall)} precision ${pct(f.structured.precision)}; all types recall ${pct(f.overall.recall)} precision ${pct(f.overall.precision)}`,
    );
  }
  lines.push(
    `unsupported dataset types (gold spans, not scored): ${report.pii.unsupported.map((u) => `${u.datasetType}=${u.goldSpans}`).join(', ') || 'none'}`,
  );
  lines.push(
    '',
    'Secrets (per case)',
    `${'source'.padEnd(16)} ${'recall'.padStart(7)} ${'prec.'.padStart(7)} ${'FPR'.padStart(7)} ${'tp'.padStart(5)} ${'fn'.padStart(5)} ${'fp'.padStart(5)} ${'tn'.padStart(5)}`,
  );
  for (const s of [...report.secrets.perSource, report.secrets.overall]) {
    lines.push(
      `${s.source.padEnd(16)} ${pct(s.recall).padStart(7)} ${pct(s.precision).padStart(7)} ${pct(s.fpr).padStart(7)} ${String(s.tp).padStart(5)} ${String(s.fn).padStart(5)} ${String(s.fp).padStart(5)} ${String(s.tn).padStart(5)}`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir =
    process.argv[2] ??
    process.env.NETHICAL_DATASETS ??
    resolve(fileURLToPath(import.meta.url), '../../../../../../shared/datasets');
  if (!existsSync(dir)) {
    process.stderr.write(`datasets folder not found: ${dir}\n`);
    process.exit(2);
  }
  void runPiiSecretsEval(dir).then((report) =>
    process.stdout.write(`${formatPiiSecretsEvalReport(report)}\n`),
  );
}
