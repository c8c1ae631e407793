import { createHash } from 'node:crypto';
import { PolicyValidationError } from '../errors.js';
import type { ActionTypeName, SeverityName } from '../finding.js';
import { patternHead } from './pattern-head.js';
import { checkSafeSyntax, matchesEmpty, mayMatchEmpty } from './safe-pattern.js';
import { createSignalPrefilter, type SignalPrefilter } from './signal-prefilter.js';
import { policySchema, type PolicyFile, type PolicyRule } from './policy-schema.js';

/**
 * A signal compiled to one case-insensitive alternation (one scan per view), or, when it has
 * several patterns, to one expression per pattern (`parts`), each prefiltered on its own.
 */
export interface CompiledSignal {
  name: string;
  /** Every pattern joined: the signal matches a text exactly when this does. */
  re: RegExp;
  /** Position of the signal in `file.signals` (per-judgment memo). */
  index: number;
  /** Its unit in the policy's `prefilter` when scanned whole (`parts` absent). */
  unit: number;
  /**
   * Scanned pattern by pattern instead of `re`: each part has its own prefilter unit, so a text
   * pays only for the few patterns whose required words it holds. A joined alternation tries
   * every pattern at every position, and one pattern without required words (or with common
   * ones) makes the whole signal possible: for the large request-frame signals (15 patterns of
   * ~3 KB) that was 0.1–0.3 ms per prompt each, against ~0.01 ms for the one or two possible
   * patterns, and splitting every prefiltered signal took the labelled prompts from ~1,600 to
   * ~2,400 judgments/s (perf/RESULTS.md).
   */
  parts?: ReadonlyArray<SignalPart>;
}

/** One pattern of a split signal; its expression is compiled on first use (`partRegex`). */
export interface SignalPart {
  source: string;
  unit: number;
  re: RegExp | undefined;
  /**
   * The pattern's leading group when other parts of the policy start with the same one (the
   * request frame of 136 patterns): a scan finds where the head matches once per view, for
   * every part sharing it, and tries the part only there (`partRegex`), instead of each part
   * trying its ~2 KB frame alternation at every position of the text.
   */
  head?: SignalHead;
}

/** A leading group shared by several parts (see `SignalPart.head` and pattern-head.ts). */
export interface SignalHead {
  source: string;
  re: RegExp | undefined;
}

/**
 * The expression of a split signal's pattern, compiled on first use; sticky (matching only at
 * `lastIndex`) when the part has a head, as it is then tried only where its head matches.
 */
export function partRegex(part: SignalPart): RegExp {
  return (part.re ??= new RegExp(part.source, part.head ? 'giy' : 'gi'));
}

/** The expression of a head, compiled on first use. */
export function headRegex(head: SignalHead): RegExp {
  return (head.re ??= new RegExp(head.source, 'gi'));
}

/** Whether `signal` may match a text whose prefilter answer is `possible` (per unit). */
export function signalPossible(signal: CompiledSignal, possible: readonly number[]): boolean {
  if (!signal.parts) return possible[signal.unit] === 1;
  for (const part of signal.parts) if (possible[part.unit] === 1) return true;
  return false;
}

export interface CompiledRule extends PolicyRule {
  detector: string;
  /**
   * `all` / `any` / `none` resolved to their compiled signals (no name lookups per judgment).
   * `none` holds the context excuses, `senses` the `none` signals listed in the policy's
   * `senses` (each excuses only the hits it overlaps), `clauses` those listed in its
   * `clauseContexts` (each excuses only its own clause), `framings` those listed in its
   * `framingContexts` when the rule's scope is a sentence (each excuses the request it frames).
   */
  signals: {
    all: CompiledSignal[];
    any: CompiledSignal[];
    none: CompiledSignal[];
    senses: CompiledSignal[];
    clauses: CompiledSignal[];
    framings: CompiledSignal[];
  };
}

export interface CompiledDetector {
  id: string;
  tier: 'cheap' | 'deep';
  rules: CompiledRule[];
  /**
   * Signals of which at least one must fire for any rule to fire (per rule: its first `all`
   * signal, else all its `any` signals). Skipping a detector whose gate is silent therefore
   * loses no detections.
   */
  gate: string[];
}

/** A validated, compiled policy. Immutable: reload builds a new one and swaps it. */
export interface CompiledPolicy {
  file: PolicyFile;
  /** `<name>@<version>+<first 12 hex of sha256(file bytes)>`. */
  revision: string;
  signals: Map<string, CompiledSignal>;
  /**
   * Which units (a signal, or a pattern of a split signal: `CompiledSignal.unit` / `parts`) can
   * match a text at all (required literals); skips scans that cannot match. See `signalPossible`.
   */
  prefilter: SignalPrefilter;
  detectors: CompiledDetector[];
  severityOf(kind: 'pii' | 'secret', type: string): SeverityName;
  appliesTo(rule: CompiledRule, actionType: ActionTypeName): boolean;
}

/**
 * Parse, validate and compile a policy file. Every problem is collected (schema, unsafe
 * patterns, unknown signal references, duplicate rule ids) and thrown together.
 */
export function compilePolicy(source: string, fileName: string): CompiledPolicy {
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (err) {
    throw new PolicyValidationError(fileName, [`not valid JSON: ${(err as Error).message}`]);
  }
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    throw new PolicyValidationError(
      fileName,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const problems: string[] = [];
  // Every consumer (checks, prefilter, tests) sees the signals with their fragments expanded.
  const file = { ...parsed.data, signals: expandFragments(parsed.data, problems) };
  // The prefilter's units: a whole signal, or one pattern of a split signal. Every signal is
  // prefiltered, also those named only after the first place of rules' `all` lists (scanned in
  // tiered mode only once the signals before them fired): leaving those out kept the automaton
  // smaller, but once equal formulas were shared (signal-prefilter.ts) the scans their
  // prefilter skips were worth more: ~1,700 → ~1,950 judgments/s on the labelled prompts.
  const units: string[][] = [];
  const signals = new Map<string, CompiledSignal>();
  for (const [name, patterns] of Object.entries(file.signals)) {
    const before = problems.length;
    patterns.forEach((p, i) => {
      for (const problem of checkSafeSyntax(p))
        problems.push(`signals.${name}[${i}] ${JSON.stringify(p)}: ${problem}`);
    });
    if (problems.length > before) continue;
    const re = new RegExp(patterns.map((p) => `(?:${p})`).join('|'), 'gi');
    const split = patterns.length > 1;
    const signal: CompiledSignal = { name, re, index: signals.size, unit: -1 };
    if (split) {
      signal.parts = patterns.map((p) => {
        units.push([p]);
        return { source: p, re: undefined, unit: units.length - 1 };
      });
    } else {
      units.push(patterns);
      signal.unit = units.length - 1;
    }
    // Only a pattern whose structure may match '' is compiled to find out: compiling costs ~5 ms
    // per KB of pattern on a slow host, and executing the joined expressions here (the check
    // before) took ~4 s of every start-up. Expressions compile on first use in a scan.
    patterns.forEach((p, i) => {
      if (mayMatchEmpty(p) && matchesEmpty(p))
        problems.push(`signals.${name}[${i}] ${JSON.stringify(p)}: matches the empty string`);
    });
    signals.set(name, signal);
  }
  shareHeads(signals);
  const senses = new Set(file.senses);
  for (const name of senses)
    if (!signals.has(name) && !file.signals[name])
      problems.push(`senses: unknown signal '${name}'`);
  const clauseContexts = new Set(file.clauseContexts);
  for (const name of clauseContexts) {
    if (!signals.has(name) && !file.signals[name])
      problems.push(`clauseContexts: unknown signal '${name}'`);
    if (senses.has(name)) problems.push(`clauseContexts: '${name}' is also a sense`);
  }
  const framingContexts = new Set(file.framingContexts);
  for (const name of framingContexts) {
    if (!signals.has(name) && !file.signals[name])
      problems.push(`framingContexts: unknown signal '${name}'`);
    if (senses.has(name) || clauseContexts.has(name))
      problems.push(`framingContexts: '${name}' is also a sense or a clause context`);
  }
  const detectors: CompiledDetector[] = [];
  for (const [id, det] of Object.entries(file.detectors)) {
    const seen = new Set<string>();
    det.rules.forEach((rule, i) => {
      if (seen.has(rule.id))
        problems.push(`detectors.${id}.rules[${i}]: duplicate rule id ${rule.id}`);
      seen.add(rule.id);
      if (rule.all.length === 0 && rule.any.length === 0)
        problems.push(`detectors.${id}.rules[${i}]: needs 'all' or 'any' signals`);
      if (rule.any.length > 0 && rule.minAny > rule.any.length)
        problems.push(`detectors.${id}.rules[${i}]: minAny exceeds any`);
      for (const s of [...rule.all, ...rule.any, ...rule.none]) {
        if (!signals.has(s) && !file.signals[s])
          problems.push(`detectors.${id}.rules[${i}]: unknown signal '${s}'`);
      }
    });
    if (!det.enabled) continue;
    const gate = new Set<string>();
    for (const rule of det.rules) {
      if (rule.all.length > 0) gate.add(rule.all[0]!);
      else rule.any.forEach((s) => gate.add(s));
    }
    // Unknown names are reported above and make the whole compile throw below.
    const resolve = (names: string[]) => names.flatMap((n) => signals.get(n) ?? []);
    detectors.push({
      id,
      tier: det.tier,
      rules: det.rules.map((r) => {
        const framing = (n: string) => r.noneScope === 'sentence' && framingContexts.has(n);
        return {
          ...r,
          detector: id,
          signals: {
            all: resolve(r.all),
            any: resolve(r.any),
            none: resolve(
              r.none.filter((n) => !senses.has(n) && !clauseContexts.has(n) && !framing(n)),
            ),
            senses: resolve(r.none.filter((n) => senses.has(n))),
            clauses: resolve(r.none.filter((n) => clauseContexts.has(n))),
            framings: resolve(r.none.filter(framing)),
          },
        };
      }),
      gate: [...gate],
    });
  }
  if (problems.length > 0) throw new PolicyValidationError(fileName, problems);
  const prefilter = createSignalPrefilter(units);
  const sha = createHash('sha256').update(source).digest('hex').slice(0, 12);
  return {
    file,
    revision: `${file.name}@${file.version}+${sha}`,
    signals,
    prefilter,
    detectors,
    severityOf(kind, type) {
      const table = kind === 'pii' ? file.sensitive.piiSeverity : file.sensitive.secretSeverity;
      return table[type] ?? table.default ?? (kind === 'pii' ? 'MEDIUM' : 'HIGH');
    },
    appliesTo(rule, actionType) {
      return rule.actionTypes === undefined || rule.actionTypes.includes(actionType);
    },
  };
}

const FRAGMENT_REF = /\{\{([a-z][a-z0-9_]*)\}\}/g;
/** A fragment reference at the very start of a pattern (a candidate list of leads). */
const LEAD_REF = /^\{\{([a-z][a-z0-9_]*)\}\}/;

/** The signals with every `{{fragment}}` replaced; unknown and cyclic references are problems. */
function expandFragments(file: PolicyFile, problems: string[]): PolicyFile['signals'] {
  const expanded = new Map<string, string>();
  const expand = (text: string, where: string, stack: readonly string[]): string =>
    text.replace(FRAGMENT_REF, (ref, name: string) => {
      const body = file.fragments[name];
      if (body === undefined) {
        problems.push(`${where}: unknown fragment ${ref}`);
        return ref;
      }
      if (Array.isArray(body)) {
        problems.push(`${where}: list fragment ${ref} may only start a signal pattern`);
        return ref;
      }
      if (stack.includes(name)) {
        problems.push(`${where}: fragment ${ref} refers to itself through ${stack.join(' → ')}`);
        return ref;
      }
      let done = expanded.get(name);
      if (done === undefined) {
        done = expand(body, `fragments.${name}`, [...stack, name]);
        expanded.set(name, done);
      }
      return done;
    });
  /** A pattern led by a list fragment: one pattern per lead, each expanded on its own. */
  const leads = (pattern: string): string[] => {
    const m = LEAD_REF.exec(pattern);
    const body = m === null ? undefined : file.fragments[m[1]!];
    if (m === null || !Array.isArray(body)) return [pattern];
    return body.map((lead) => lead + pattern.slice(m[0].length));
  };
  return Object.fromEntries(
    Object.entries(file.signals).map(([name, patterns]) => [
      name,
      patterns.flatMap((p, i) => leads(p).map((q) => expand(q, `signals.${name}[${i}]`, []))),
    ]),
  );
}

/** Give each split part whose leading group starts at least one other part that shared head. */
function shareHeads(signals: Map<string, CompiledSignal>): void {
  const partsOf = new Map<string, SignalPart[]>();
  for (const signal of signals.values()) {
    for (const part of signal.parts ?? []) {
      const head = patternHead(part.source);
      if (head === undefined) continue;
      const list = partsOf.get(head) ?? [];
      list.push(part);
      partsOf.set(head, list);
    }
  }
  for (const [source, parts] of partsOf) {
    if (parts.length < 2) continue;
    const head: SignalHead = { source, re: undefined };
    for (const part of parts) part.head = head;
  }
}
