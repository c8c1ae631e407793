import type { Finding, Span } from '../finding.js';
import type { CompiledDetector, CompiledRule, CompiledSignal } from '../policy/compile-policy.js';
import type { Detector } from './detector.js';
import type { ViewKind } from '../normalise/text-view.js';
import {
  createScanContext,
  MAX_HITS,
  type Excuse,
  type ScanContext,
  type SignalHit,
} from './scan-context.js';

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
  const { all, any, none, senses, clauses } = rule.signals;
  // (framings exist only in rules with sentence scope)
  if (rule.noneScope !== 'text' || senses.length > 0 || clauses.length > 0)
    return evaluateScoped(rule, ctx);
  for (const s of all) if (ctx.hitsOf(s).length === 0) return null;
  if (any.length > 0) {
    let count = 0;
    for (const s of any) if (ctx.hitsOf(s).length > 0) count++;
    if (count < rule.minAny) return null;
  }
  for (const s of none) if (ctx.hitsOf(s).length > 0) return excusedByContext(rule, ctx);
  return toFinding(rule, ctx, evidenceOf(rule, ctx.hitsOf));
}

/** The untiered baseline: every referenced signal is scanned before deciding. */
function evaluateFully(rule: CompiledRule, ctx: ScanContext): Finding | null {
  const { all, any, none, senses, clauses, framings } = rule.signals;
  // Loops rather than map/filter: this runs for every rule of every action.
  let allFired = true;
  for (const s of all) if (ctx.hitsOf(s).length === 0) allFired = false;
  let anyFired = 0;
  for (const s of any) if (ctx.hitsOf(s).length > 0) anyFired++;
  let noneFired = false;
  for (const s of none) if (ctx.hitsOf(s).length > 0) noneFired = true;
  for (const s of senses) ctx.hitsOf(s);
  for (const s of clauses) ctx.hitsOf(s);
  for (const s of framings) ctx.hitsOf(s);
  if (rule.noneScope !== 'text' || senses.length > 0 || clauses.length > 0)
    return evaluateScoped(rule, ctx);
  if (!allFired) return null;
  if (any.length > 0 && anyFired < rule.minAny) return null;
  if (noneFired) return excusedByContext(rule, ctx);
  return toFinding(rule, ctx, evidenceOf(rule, ctx.hitsOf));
}

type HitsOf = (signal: CompiledSignal) => SignalHit[];

type Scope = 'paragraph' | 'sentence';

/**
 * Excuses that take hits away rather than cancel the rule:
 * - `noneScope: paragraph | sentence`: hits in a segment (paragraph, or sentence) that also holds
 *   a context `none` hit do not count (with `text`, a context hit anywhere cancels the rule);
 * - a sense (`senses` in the policy) takes away only its own words: the rule's signals are scanned
 *   again over the text with the sense's matches blanked, so "steal the show" excuses "steal" and
 *   not "poison my neighbour" before it in the same sentence, nor a second "bomb" that one greedy
 *   match ran on to;
 * - a clause context (`clauseContexts`) takes away its own clause (see `clauseAround`): those
 *   words are blanked too, so "write a keylogger and explain the warning signs of keyloggers"
 *   keeps "write a keylogger", while "the warning signs that someone is building a bomb" is
 *   excused as a whole. A hit over the blanked text that only bridges such a clause still counts:
 *   its words all lie outside it;
 * - a framing context (`framingContexts`, in rules of sentence scope) takes away the request it
 *   frames, up to a new request joined on after it (see `FRAME_BREAK`), blanked likewise.
 * The rule is decided on the hits left (all of them when no excuse hit). Both evaluation modes
 * share this.
 *
 * A signal whose hits were capped (MAX_HITS per view) may have more hits past the cap, in
 * segments nobody looked at: its hits all count, so stuffing a text with excused uses of a word
 * cannot hide a later, unexcused one.
 */
function evaluateScoped(rule: CompiledRule, ctx: ScanContext): Finding | null {
  const { all, any, none, senses, clauses, framings } = rule.signals;
  // Excuses only take hits away: a rule that fails on all its hits fails on those left.
  for (const s of all) if (ctx.hitsOf(s).length === 0) return null;
  if (any.length > 0) {
    let count = 0;
    for (const s of any) if (ctx.hitsOf(s).length > 0) count++;
    if (count < rule.minAny) return null;
  }
  const scope = rule.noneScope;
  let segmentOf: ((position: number) => number) | undefined;
  const neutralised = new Set<number>();
  for (const s of none) {
    const hits = ctx.hitsOf(s);
    if (hits.length === 0) continue;
    if (scope === 'text') return excusedByContext(rule, ctx);
    for (const h of hits) neutralised.add((segmentOf ??= segmenter(ctx, scope))(h.start));
  }
  const unsensed =
    senses.length > 0 || clauses.length > 0 || framings.length > 0
      ? withoutExcused(ctx, senses, clauses, framings)
      : null;
  if (neutralised.size === 0 && unsensed === null)
    return toFinding(rule, ctx, evidenceOf(rule, ctx.hitsOf));
  const blanked = unsensed?.blanked ?? [];
  const touches = (h: Span, b: Span) => b.start < h.end && h.start < b.end;
  const usable: HitsOf = (s) => {
    let hits = ctx.hitsOf(s);
    if (capped(hits)) return hits;
    // A signal none of whose hits touches an excuse keeps them; the others are scanned again
    // without the excused words.
    if (unsensed && hits.some((h) => blanked.some((b) => touches(h, b)))) {
      hits = unsensed.ctx().hitsOf(s);
      if (capped(hits)) return hits;
    }
    return hits.filter(
      (h) =>
        !(neutralised.size > 0 && neutralised.has(segmentOf!(h.start))) &&
        !blanked.some((b) => !b.clause && touches(h, b) && !newClauseAfter(ctx, b, h)),
    );
  };
  const excused = (): null => {
    if (!ctx.excused) return null;
    // What touched the rule's hits: the context hits of their segments, the blanked ranges over them.
    const hits = evidenceOf(rule, ctx.hitsOf);
    const segments = segmentOf ? new Set(hits.map((h) => segmentOf!(h.start))) : new Set<number>();
    const excuses: Excuse[] = [];
    for (const s of none)
      for (const h of ctx.hitsOf(s))
        if (segments.has(segmentOf!(h.start)))
          excuses.push({ kind: 'context', signal: s.name, span: { start: h.start, end: h.end } });
    for (const b of blanked)
      if (hits.some((h) => touches(h, b)))
        excuses.push({ kind: b.kind, signal: b.signal, span: { start: b.start, end: b.end } });
    return traceExcused(rule, ctx, hits, excuses);
  };
  for (const s of all) if (usable(s).length === 0) return excused();
  if (any.length > 0) {
    let count = 0;
    for (const s of any) if (usable(s).length > 0) count++;
    if (count < rule.minAny) return excused();
  }
  return toFinding(rule, ctx, evidenceOf(rule, usable));
}

/** A rule cancelled by a context anywhere in the text (`noneScope: text`): null, traced. */
function excusedByContext(rule: CompiledRule, ctx: ScanContext): null {
  if (!ctx.excused) return null;
  const excuses: Excuse[] = [];
  for (const s of rule.signals.none)
    for (const h of ctx.hitsOf(s))
      excuses.push({ kind: 'context', signal: s.name, span: { start: h.start, end: h.end } });
  return traceExcused(rule, ctx, evidenceOf(rule, ctx.hitsOf), excuses);
}

/** Record, when the context traces excuses, a rule that its excuses kept from firing. */
function traceExcused(
  rule: CompiledRule,
  ctx: ScanContext,
  hits: SignalHit[],
  excuses: Excuse[],
): null {
  ctx.excused?.push({
    detector: rule.detector,
    rule: rule.id,
    category: rule.category,
    spans: mergeSpans(hits),
    excuses,
  });
  return null;
}

/** Views of a decoded segment: each of their hits maps to the whole encoded segment. */
const DECODED_VIEWS: ReadonlySet<ViewKind> = new Set(['base64', 'hex', 'url']);

interface Blanked extends Span {
  clause: boolean;
  kind: Exclude<Excuse['kind'], 'context'>;
  signal: string;
}

interface Unsensed {
  /** The context over the text with the excused words blanked (built on first use). */
  ctx: () => ScanContext;
  /**
   * The blanked ranges: a sense's words, or a clause or framing context's clause (`clause:
   * true`), with the excuse that blanked them.
   */
  blanked: Blanked[];
}

/** Per judgment, per list of excuses: the text without their words (null: none matched). */
const unsensedOf = new WeakMap<ScanContext, Map<string, Unsensed | null>>();

/**
 * The judgment's text with the matches of `senses` blanked (letters and digits become spaces;
 * punctuation and line breaks stay, so sentences and paragraphs keep their bounds and every
 * position its meaning), as a scan context of its own. A hit there that reaches into a blanked
 * range does not count either: a sense's words neither count nor bridge ("how do I poison the
 * roots of racism" is not "how do I … racism"). A sense seen only inside a decoded segment
 * (base64, hex, url) is not blanked: its range is the whole encoded segment, and blanking that
 * would excuse anything else encoded beside it. A clause context blanks the whole clause it lies
 * in (and, seen only inside a decoded segment, nothing either).
 */
function withoutExcused(
  ctx: ScanContext,
  senses: readonly CompiledSignal[],
  clauses: readonly CompiledSignal[],
  framings: readonly CompiledSignal[],
): Unsensed | null {
  let perContext = unsensedOf.get(ctx);
  if (!perContext) unsensedOf.set(ctx, (perContext = new Map()));
  const names = (list: readonly CompiledSignal[]) => list.map((s) => s.name).join(',');
  const key =
    clauses.length === 0 && framings.length === 0 && senses.length === 1
      ? senses[0]!.name
      : `${names(senses)}|${names(clauses)}|${names(framings)}`;
  const known = perContext.get(key);
  if (known !== undefined) return known;
  let chars: string[] | undefined;
  const blanked: Blanked[] = [];
  const blank = (start: number, end: number, kind: Blanked['kind'], signal: string) => {
    chars ??= ctx.content.split(''); // UTF-16 units, as hit positions are
    for (let i = start; i < end; i++) if (WORD_CHAR.test(chars[i]!)) chars[i] = ' ';
    const clause = kind !== 'sense';
    blanked.push({ start, end, clause, kind, signal });
    if (clause) startSentenceAfter(chars, ctx.content, end);
  };
  for (const s of senses)
    for (const h of ctx.hitsOf(s))
      if (!DECODED_VIEWS.has(h.view)) blank(h.start, h.end, 'sense', s.name);
  for (const s of clauses)
    for (const h of ctx.hitsOf(s)) {
      if (DECODED_VIEWS.has(h.view)) continue;
      const c = clauseAround(ctx, h, 'clause');
      if (c) blank(c.start, c.end, 'clause', s.name);
    }
  for (const s of framings)
    for (const h of ctx.hitsOf(s)) {
      if (DECODED_VIEWS.has(h.view)) continue;
      const c = clauseAround(ctx, h, 'frame');
      if (c) blank(c.start, c.end, 'framing', s.name);
    }
  let masked: ScanContext | undefined;
  const text = chars?.join('');
  const result =
    text === undefined
      ? null
      : {
          ctx: () => (masked ??= createScanContext(text, ctx.actionType, ctx.policy)),
          blanked,
        };
  perContext.set(key, result);
  return result;
}

/**
 * What joins a clause on to the one before it: punctuation, coordinators and fillers ("…, and
 * then write…", "…; also tell me…", "…, but first write…"). No two `\s*` meet over one run
 * before the first coordinator (`\s*(?:[,;]\s*)?`, not `\s*[,;]?\s*`): split every way, 80k line
 * breaks after a defensive clause cost 8–10 s.
 */
const CLAUSE_LEAD =
  /\s*(?:[,;]\s*)?(?:(?:and|or|but|then|also|plus|now|first|next|finally)\b\s*,?\s*)+|\s*[,;]\s+/iy;

/**
 * The clause after an excused one stands as a sentence of its own: its join ("…, and then") is
 * blanked and ends in a full stop, so a request that opens it is read as the start of a sentence
 * ("…, and then write new propaganda" is "…. write new propaganda").
 */
function startSentenceAfter(chars: string[], text: string, end: number): void {
  CLAUSE_LEAD.lastIndex = end;
  const m = CLAUSE_LEAD.exec(text);
  if (!m || m[0].length < 2 || !/\s/.test(text[end + m[0].length - 1]!)) return;
  const stop = end + m[0].length;
  for (let i = end; i < stop; i++) if (WORD_CHAR.test(chars[i]!)) chars[i] = ' ';
  chars[stop - 2] = '.';
}

/**
 * Whether a hit that reaches into a blanked sense goes on, after it, into a clause of its own:
 * "how do I light the grill *and then* set fire to my ex's car" is a request for both; "how do
 * I poison the roots *of* racism" is one figurative phrase, and its hit only bridged the sense.
 */
function newClauseAfter(ctx: ScanContext, blank: Span, hit: Span): boolean {
  if (hit.end <= blank.end) return false;
  return CLAUSE_JOIN.test(ctx.content.slice(blank.end, hit.end));
}

const CLAUSE_JOIN = /[,;:]|\b(?:and|or|then|but|so|after|before|while|also|plus)\b/i;

/**
 * Where a clause ends: `;`, a coordinating `and`/`or`/`but`/`then`/`also`/`plus` (not one that
 * goes on with a statement, as in "stop your meds abruptly and you may get withdrawal symptoms";
 * a purpose "so that I can spot…" stays in its clause either), or a comma before a new request
 * ("…, write me…"). Sentence ends (and line breaks) end a clause too.
 * A join's whitespace starts only after a non-space (`(?<!\s)`): started at every space of a run,
 * `\s+` backtracked over the rest of it, and 190k spaces after a defensive clause took 17 s
 * (pathological.test.ts). FRAME_BREAK is built alike.
 */
const CLAUSE_BREAK =
  /;|(?<!\s)(?:\s*,)?\s+(?:and|or|but|then|also|plus)\b(?!,?\s+(?:you|it|they|he|she|we|this|that|there)\s+(?:may|might|could|can|will|would|should|must|is|are|was|were|get|gets|have|has|need|needs)\b)|,\s*(?=(?:then |also |now |and )?(?:how|what|where|which|who|can|could|would|will|please|tell|give|write|explain|show|list|describe|help|make|create|build|generate|provide|draft|add|teach|send)\b)/gi;

/**
 * A clause that points back at the one before it ("…and how companies defend against *it*",
 * "…and why *that's* dangerous") speaks for that clause too.
 */
const BACK_REFERENCE = /\b(?:it|them|this|these|those)\b|\bthat(?:'s|’s| is| was)\b/i;

/**
 * Where the request a framing context frames ends: a new order to produce something, joined on
 * with a coordinator ("…, and then write…", "…, and now give me…", "…; also tell me…"). A
 * question joined on ("…, and how do I get more kills?") or an explanation ("…, then explain how
 * the bombs worked") stays in the frame, as does a plain comma.
 */
const FRAME_BREAK =
  /;\s*(?=(?:and|also|then|now|but|plus)\b)|(?<!\s)(?:\s*,)?\s+(?:and|or|but|then|also|plus)(?:\s+(?:then|also|now|first))?,?\s+(?=(?:please )?(?:write|create|make|build|generate|produce|draft|compose|code|program|send|post|give me|tell me|show me|teach me|provide|list|design|develop|craft)\b)/gi;

/**
 * A later clause that asks to produce what the excused clause named ("explain how ransomware
 * works and then give me working code for *it*", "…and build me a hidden *one*") takes the
 * excuse away: the excused clause was the request's subject, not a safe reading of it. So does
 * asking how to get it past detection ("…and how to make antivirus software miss it").
 */
const MAKES_IT =
  /\b(?:write|build|make|create|code|program|develop|generate|draft|deploy|send|give|set up|craft|buy|order|install|plant)\b(?: me| us)?(?: a| an)?(?: [a-z-]{2,12})?(?: [a-z-]{2,12})? (?:it|one|mine|my own|our own)\b|\b(?:code|script|program|version|source) for it\b|\b(?:miss|overlook|ignore|not (?:detect|catch|flag|notice|see)|(?:can't|cannot|won't) (?:detect|catch|flag|see))\w{0,2} (?:it|them)\b|\bhide (?:it|them) from\b|\b(?:evade|bypass|get past|slip past|sneak past) (?:the |an |any )?(?:[a-z-]{2,10} )?(?:antivirus|anti-virus|av|edr|defender|detection|scanners?|filters?)\b/i;

/** Sentence, clause and frame breaks, as [start, end) ranges, per judgment. */
const breaksOf = new WeakMap<ScanContext, { sentences: Span[]; clause?: Span[]; frame?: Span[] }>();

function breakRanges(text: string, re: RegExp): Span[] {
  const out: Span[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length });
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

/**
 * The clause (or, for a framing context, the framed request) a context's hit lies in: from the
 * last break that starts before it to the first that ends after it, within its sentence (a break
 * inside the hit, as in "detect and report", does not cut it); for a clause context with a
 * back-reference after the hit, the clause before it in the same sentence as well.
 */
function clauseAround(ctx: ScanContext, hit: Span, kind: 'clause' | 'frame'): Span | null {
  let all = breaksOf.get(ctx);
  if (!all) breaksOf.set(ctx, (all = { sentences: breakRanges(ctx.content, SENTENCE_BREAK) }));
  const breaks = {
    sentences: all.sentences,
    clauses: (all[kind] ??= breakRanges(
      ctx.content,
      kind === 'clause' ? CLAUSE_BREAK : FRAME_BREAK,
    )),
  };
  let sentenceStart = 0;
  let sentenceEnd = ctx.content.length;
  for (const b of breaks.sentences) {
    if (b.start < hit.start && b.end > sentenceStart) sentenceStart = b.end;
    if (b.end > hit.end && b.start < sentenceEnd) sentenceEnd = b.start;
  }
  let end = sentenceEnd;
  let start = sentenceStart;
  let before = -1; // the start of the clause break that opens this clause
  for (const b of breaks.clauses) {
    if (b.start < hit.start && b.end > start && b.start >= sentenceStart) {
      start = b.end;
      before = b.start;
    }
    if (b.end > hit.end && b.start < end) end = b.start;
  }
  if (kind === 'clause' && MAKES_IT.test(ctx.content.slice(hit.end, sentenceEnd))) return null;
  if (kind === 'clause' && before >= 0 && BACK_REFERENCE.test(ctx.content.slice(hit.start, end))) {
    start = sentenceStart;
    for (const b of breaks.clauses)
      if (b.end <= before && b.start >= sentenceStart && b.end > start) start = b.end;
  }
  return { start: Math.min(start, hit.start), end: Math.max(end, hit.end) };
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** Did the scan stop at MAX_HITS in some view (so more hits may exist past the last one)? */
function capped(hits: readonly SignalHit[]): boolean {
  if (hits.length < MAX_HITS) return false;
  const perView = new Map<string, number>();
  for (const h of hits) {
    const n = (perView.get(h.view) ?? 0) + 1;
    if (n >= MAX_HITS) return true;
    perView.set(h.view, n);
  }
  return false;
}

/** Blank lines, also with `\r\n` endings or stray whitespace on the empty line. */
const PARAGRAPH_BREAK = /\n[^\S\n]*\n/g;
/**
 * The end of a sentence: `.`, `!` or `?` (with closing quotes or brackets) before a space, or a
 * line break. A run of marks is tried from its first mark only (`(?<![.!?])`): tried from every
 * mark, 80k dots with no space after them cost 18–25 s (pathological.test.ts); a match from inside
 * a run implies one from its start, so the breaks found are the same.
 */
const SENTENCE_BREAK = /(?<![.!?])[.!?]+["'’”)\]]*(?=\s)|\n/g;

/** Segment boundaries are computed once per judgment and scope. */
const segmenters = new WeakMap<ScanContext, Partial<Record<Scope, (position: number) => number>>>();

function segmenter(ctx: ScanContext, scope: Scope): (position: number) => number {
  let perContext = segmenters.get(ctx);
  if (!perContext) segmenters.set(ctx, (perContext = {}));
  return (perContext[scope] ??=
    scope === 'paragraph'
      ? segmentIndex(ctx.content, PARAGRAPH_BREAK, false)
      : segmentIndex(ctx.content, SENTENCE_BREAK, true));
}

/**
 * Position → segment number; a segment ends where `breaks` matches. With `onBreakIsNext`, a hit
 * that starts on the break itself belongs to the segment after it: sentence patterns such as
 * `(?:^|[.!?]\s)write …` take in the end of the sentence before. (Paragraphs keep a hit on the
 * blank line in the paragraph before, as they always have: the output rules are tuned to it.)
 */
function segmentIndex(
  text: string,
  breaks: RegExp,
  onBreakIsNext: boolean,
): (position: number) => number {
  const at: number[] = [];
  breaks.lastIndex = 0;
  for (let m = breaks.exec(text); m !== null; m = breaks.exec(text)) at.push(m.index);
  return (position) => {
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid]! < position || (onBreakIsNext && at[mid] === position)) lo = mid + 1;
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
