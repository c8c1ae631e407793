import type { Finding, Span } from '../finding.js';
import type { CompiledDetector, CompiledRule, CompiledSignal } from '../policy/compile-policy.js';
import type { Detector } from './detector.js';
import type { ScanContext, SignalHit } from './scan-context.js';

/** Evidence spans kept per finding. */
const MAX_SPANS = 6;

/**
 * A detector whose behaviour is entirely policy data: each rule fires when all its `all`
 * signals, at least `minAny` of its `any` signals and none of its `none` signals are present.
 * With `shortCircuit` (tiered mode) a rule stops scanning at its first missing signal.
 */
export function createRuleDetector(compiled: CompiledDetector): Detector {
  return {
    id: compiled.id,
    tier: compiled.tier,
    gate: (ctx) => compiled.gate.some((s) => ctx.fired(s)),
    run(ctx, { shortCircuit }) {
      const findings: Finding[] = [];
      for (const rule of compiled.rules) {
        if (!ctx.policy.appliesTo(rule, ctx.actionType)) continue;
        const finding = shortCircuit ? evaluateLazily(rule, ctx) : evaluateFully(rule, ctx);
        if (finding) findings.push(finding);
      }
      return findings;
    },
  };
}

/**
 * Decide first, then gather evidence: most rules fail on their first signal, and an evidence
 * array per rule evaluated was a large share of what a judgment allocated.
 */
function evaluateLazily(rule: CompiledRule, ctx: ScanContext): Finding | null {
  const { all, any, none } = rule.signals;
  if (rule.noneScope === 'paragraph') return evaluateByParagraph(rule, ctx);
  for (const s of all) if (ctx.hitsOf(s).length === 0) return null;
  if (any.length > 0) {
    let count = 0;
    for (const s of any) if (ctx.hitsOf(s).length > 0) count++;
    if (count < rule.minAny) return null;
  }
  for (const s of none) if (ctx.hitsOf(s).length > 0) return null;
  return toFinding(rule, ctx, evidenceOf(rule, ctx.hitsOf));
}

/** The untiered baseline: every referenced signal is scanned before deciding. */
function evaluateFully(rule: CompiledRule, ctx: ScanContext): Finding | null {
  const { all, any, none } = rule.signals;
  // Loops rather than map/filter: this runs for every rule of every action.
  let allFired = true;
  for (const s of all) if (ctx.hitsOf(s).length === 0) allFired = false;
  let anyFired = 0;
  for (const s of any) if (ctx.hitsOf(s).length > 0) anyFired++;
  let noneFired = false;
  for (const s of none) if (ctx.hitsOf(s).length > 0) noneFired = true;
  if (rule.noneScope === 'paragraph') return evaluateByParagraph(rule, ctx);
  if (!allFired) return null;
  if (any.length > 0 && anyFired < rule.minAny) return null;
  if (noneFired) return null;
  return toFinding(rule, ctx, evidenceOf(rule, ctx.hitsOf));
}

type HitsOf = (signal: CompiledSignal) => SignalHit[];

/**
 * `noneScope: paragraph`: hits in a paragraph that also holds a `none` hit do not count, and the
 * rule is decided on the hits left (all of them when no `none` signal hit). Both evaluation
 * modes share this.
 */
function evaluateByParagraph(rule: CompiledRule, ctx: ScanContext): Finding | null {
  const { all, any, none } = rule.signals;
  const neutralised = new Set<number>();
  let paragraphOf: ((position: number) => number) | undefined;
  for (const s of none) {
    for (const h of ctx.hitsOf(s)) neutralised.add((paragraphOf ??= paragraphIndex(ctx.content))(h.start));
  }
  const usable: HitsOf =
    neutralised.size === 0 ? ctx.hitsOf : (s) => ctx.hitsOf(s).filter((h) => !neutralised.has(paragraphOf!(h.start)));
  for (const s of all) if (usable(s).length === 0) return null;
  if (any.length > 0) {
    let count = 0;
    for (const s of any) if (usable(s).length > 0) count++;
    if (count < rule.minAny) return null;
  }
  return toFinding(rule, ctx, evidenceOf(rule, usable));
}

/** Blank lines, also with `\r\n` endings or stray whitespace on the empty line. */
const PARAGRAPH_BREAK = /\n[^\S\n]*\n/g;

/** Position → paragraph number (paragraphs are separated by blank lines). */
function paragraphIndex(text: string): (position: number) => number {
  const breaks: number[] = [];
  PARAGRAPH_BREAK.lastIndex = 0;
  for (let m = PARAGRAPH_BREAK.exec(text); m !== null; m = PARAGRAPH_BREAK.exec(text)) breaks.push(m.index);
  return (position) => {
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (breaks[mid]! < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The hits of a rule that fired: its `all` signals, then those of its `any` signals that hit. */
function evidenceOf(rule: CompiledRule, hitsOf: HitsOf): SignalHit[] {
  const evidence: SignalHit[] = [];
  for (const s of rule.signals.all) evidence.push(...hitsOf(s));
  for (const s of rule.signals.any) evidence.push(...hitsOf(s));
  return evidence;
}

function toFinding(rule: CompiledRule, ctx: ScanContext, evidence: SignalHit[]): Finding {
  const obfuscatedOnly = evidence.length > 0 && evidence.every((h) => h.view !== 'raw');
  const views = [...new Set(evidence.filter((h) => h.view !== 'raw').map((h) => h.view))];
  const bonus = obfuscatedOnly ? ctx.policy.file.scoring.obfuscationBonus : 0;
  return {
    detector: rule.detector,
    category: rule.category,
    severity: rule.severityByActionType?.[ctx.actionType] ?? rule.severity,
    confidence: Math.min(1, rule.confidence + bonus),
    spans: mergeSpans(evidence),
    reason: views.length > 0 ? `${rule.reason} (seen in ${views.join('/')} view)` : rule.reason,
  };
}

function mergeSpans(hits: SignalHit[]): Span[] {
  const sorted = [...hits].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Span[] = [];
  for (const h of sorted) {
    const last = out[out.length - 1];
    if (last && h.start <= last.end) last.end = Math.max(last.end, h.end);
    else out.push({ start: h.start, end: h.end });
  }
  return out.slice(0, MAX_SPANS);
}
