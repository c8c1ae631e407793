import type { ActionTypeName, Span } from '../finding.js';
import { buildViews } from '../normalise/normaliser.js';
import type { TextView, ViewKind } from '../normalise/text-view.js';
import {
  headRegex,
  partRegex,
  type CompiledPolicy,
  type CompiledSignal,
  type SignalHead,
} from '../policy/compile-policy.js';

/** Where a signal matched: a range of the ORIGINAL content and the view it was seen in. */
export interface SignalHit extends Span {
  view: ViewKind;
}

/** Per-judgment scanning state: the views, and signal hits memoised so each signal scans once. */
export interface ScanContext {
  content: string;
  actionType: ActionTypeName;
  policy: CompiledPolicy;
  views(): TextView[];
  hits(signal: string): SignalHit[];
  /** `hits` for an already resolved signal (rules hold theirs: no name lookup). */
  hitsOf(signal: CompiledSignal): SignalHit[];
  fired(signal: string): boolean;
  /** Number of signal scans (one signal over one view) performed so far; the prefilter's skips are not scans. */
  scans(): number;
  /**
   * When present, rules that would have fired on all their hits but were excused (by a context,
   * a sense, a clause context or a framing) are recorded here (`explain`; the service never sets
   * it, so the hot path pays nothing).
   */
  excused?: ExcusedRule[];
}

/** Which excuse took a rule's hits away: a `none` signal, by how it excuses. */
export interface Excuse {
  /**
   * `context`: a `none` signal (in the text, or in the hit's sentence or paragraph by the rule's
   * `noneScope`); `sense`: a safe sense, its own words only; `clause`: a clause context, its
   * clause; `framing`: a framing context, the request it frames.
   */
  kind: 'context' | 'sense' | 'clause' | 'framing';
  signal: string;
  /** Where it matched (a context or sense), or the range it blanked (a clause or framing). */
  span: Span;
}

/** A rule that every one of its signals would have fired, had no excuse taken hits away. */
export interface ExcusedRule {
  detector: string;
  rule: string;
  category: string;
  /** The rule's hits before the excuses (merged spans). */
  spans: Span[];
  excuses: Excuse[];
}

/** Hits kept per signal and view: enough evidence, bounded work on floods. */
export const MAX_HITS = 8;
/** Overlap between scan chunks so a match across a chunk border is still seen. */
const CHUNK_OVERLAP = 256;

/** Create the context for one judgment. Content beyond `limits.maxContentChars` is not scanned. */
export function createScanContext(
  content: string,
  actionType: ActionTypeName,
  policy: CompiledPolicy,
  options: { traceExcuses?: boolean } = {},
): ScanContext {
  const { limits } = policy.file;
  const scanned =
    content.length > limits.maxContentChars ? content.slice(0, limits.maxContentChars) : content;
  let views: TextView[] | undefined;
  /** Per view (same order as `views`): which signals may match it, computed on first use. */
  const possible: Array<readonly number[] | undefined> = [];
  /** Hits per signal (by its index): each signal scans once per judgment. */
  const memo: Array<SignalHit[] | undefined> = new Array<SignalHit[] | undefined>(
    policy.signals.size,
  );
  /** Per view: where each shared head matches, per chunk of the view. */
  const headStarts: Array<Map<SignalHead, number[][]> | undefined> = [];
  let scans = 0;
  const getViews = () => (views ??= buildViews(scanned, limits));
  const hitsOf = (signal: CompiledSignal): SignalHit[] => {
    const cached = memo[signal.index];
    if (cached) return cached;
    const out: SignalHit[] = [];
    const all = getViews();
    for (let v = 0; v < all.length; v++) {
      const view = all[v]!;
      const inView = (possible[v] ??= policy.prefilter.possibleSignals(view.text));
      if (!signal.parts) {
        if (inView[signal.unit] === 0) continue; // cannot match in this view
        scans++;
        scanView(view, limits.scanChunkChars, out, execFrom(signal.re));
        continue;
      }
      // Split signal: only the patterns that can match here; their hits merged in text order,
      // without overlaps, at most MAX_HITS per view (as one alternation would report them).
      const first = out.length;
      let parts = 0;
      for (const part of signal.parts) {
        if (inView[part.unit] === 0) continue;
        scans++;
        parts++;
        const re = partRegex(part);
        const head = part.head;
        if (!head) {
          scanView(view, limits.scanChunkChars, out, execFrom(re));
          continue;
        }
        const perView = (headStarts[v] ??= new Map());
        let perChunk = perView.get(head);
        if (!perChunk) perView.set(head, (perChunk = []));
        scanView(view, limits.scanChunkChars, out, (text, chunkNo, from) => {
          const starts = (perChunk[chunkNo] ??= matchStarts(headRegex(head), text));
          return execAtStarts(re, text, starts, from);
        });
      }
      if (parts > 1 && out.length - first > 1) mergeHits(out, first);
    }
    memo[signal.index] = out;
    return out;
  };
  const hits = (name: string): SignalHit[] => {
    const signal = policy.signals.get(name);
    return signal ? hitsOf(signal) : [];
  };
  return {
    content,
    actionType,
    policy,
    views: getViews,
    hits,
    hitsOf,
    fired: (name) => hits(name).length > 0,
    scans: () => scans,
    ...(options.traceExcuses ? { excused: [] } : {}),
  };
}

/** Sort `out[first..]` by position, drop hits overlapping an earlier one, keep MAX_HITS. */
function mergeHits(out: SignalHit[], first: number): void {
  const mine = out.splice(first).sort((a, b) => a.start - b.start);
  let lastEnd = -1;
  for (const hit of mine) {
    if (hit.start < lastEnd) continue;
    out.push(hit);
    lastEnd = hit.end;
    if (out.length - first >= MAX_HITS) break;
  }
}

/** Find the first match at or after `from` in `text` (chunk `chunkNo` of a view). */
type ExecFrom = (text: string, chunkNo: number, from: number) => RegExpExecArray | null;

function execFrom(re: RegExp): ExecFrom {
  return (text, _chunkNo, from) => {
    re.lastIndex = from;
    return re.exec(text);
  };
}

/** Every position where `re` (global) matches in `text`, overlapping ones included, ascending. */
function matchStarts(re: RegExp, text: string): number[] {
  const starts: number[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    starts.push(m.index);
    re.lastIndex = m.index + 1;
  }
  return starts;
}

/**
 * The first match of sticky `re` at one of `starts` not before `from`: the same match a global
 * scan from `from` finds, when every match of `re` begins where its head matches (the starts).
 */
function execAtStarts(
  re: RegExp,
  text: string,
  starts: readonly number[],
  from: number,
): RegExpExecArray | null {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < starts.length; i++) {
    re.lastIndex = starts[i]!;
    const m = re.exec(text);
    if (m !== null) return m;
  }
  return null;
}

/**
 * Scan one view in chunks of at most `chunk` characters: the input bound per pattern that,
 * with the safe pattern subset, keeps every scan's worst case bounded.
 */
function scanView(view: TextView, chunk: number, out: SignalHit[], exec: ExecFrom): void {
  const text = view.text;
  let found = 0;
  let lastEnd = -1;
  let chunkNo = 0;
  for (let base = 0; base < text.length && found < MAX_HITS; base += chunk - CHUNK_OVERLAP) {
    const part = base === 0 && text.length <= chunk ? text : text.slice(base, base + chunk);
    let from = 0;
    let m: RegExpExecArray | null;
    while (found < MAX_HITS && (m = exec(part, chunkNo, from)) !== null) {
      const start = base + m.index;
      const end = start + Math.max(1, m[0].length);
      from = m.index + Math.max(1, m[0].length);
      if (start < lastEnd) continue; // already seen in the previous chunk's overlap
      lastEnd = end;
      out.push({ ...view.toOriginal(start, end), view: view.kind });
      found++;
    }
    if (base + chunk >= text.length) break;
    chunkNo++;
  }
}
