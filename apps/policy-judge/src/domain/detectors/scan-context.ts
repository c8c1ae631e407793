import type { ActionTypeName, Span } from '../finding.js';
import { buildViews } from '../normalise/normaliser.js';
import type { TextView, ViewKind } from '../normalise/text-view.js';
import { partRegex, type CompiledPolicy, type CompiledSignal } from '../policy/compile-policy.js';

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
}

/** Hits kept per signal and view: enough evidence, bounded work on floods. */
const MAX_HITS = 8;
/** Overlap between scan chunks so a match across a chunk border is still seen. */
const CHUNK_OVERLAP = 256;

/** Create the context for one judgment. Content beyond `limits.maxContentChars` is not scanned. */
export function createScanContext(
  content: string,
  actionType: ActionTypeName,
  policy: CompiledPolicy,
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
        scanView(signal.re, view, limits.scanChunkChars, out);
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
        scanView(partRegex(part), view, limits.scanChunkChars, out);
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
  };
}

/** Sort `out[first..]` by position, drop hits overlapping an earlier one, keep MAX_HITS. */
function mergeHits(out: SignalHit[], first: number): void {
  const mine = out.splice(first).sort((a, b) => a.start - b.start || b.end - a.end);
  let lastEnd = -1;
  for (const hit of mine) {
    if (hit.start < lastEnd) continue;
    out.push(hit);
    lastEnd = hit.end;
    if (out.length - first >= MAX_HITS) break;
  }
}

/**
 * Scan one view in chunks of at most `chunk` characters: the input bound per pattern that,
 * with the safe pattern subset, keeps every scan's worst case bounded.
 */
function scanView(re: RegExp, view: TextView, chunk: number, out: SignalHit[]): void {
  const text = view.text;
  let found = 0;
  let lastEnd = -1;
  for (let base = 0; base < text.length && found < MAX_HITS; base += chunk - CHUNK_OVERLAP) {
    const part = base === 0 && text.length <= chunk ? text : text.slice(base, base + chunk);
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while (found < MAX_HITS && (m = re.exec(part)) !== null) {
      const start = base + m.index;
      const end = start + Math.max(1, m[0].length);
      if (m[0].length === 0) re.lastIndex++;
      if (start < lastEnd) continue; // already seen in the previous chunk's overlap
      lastEnd = end;
      out.push({ ...view.toOriginal(start, end), view: view.kind });
      found++;
    }
    if (base + chunk >= text.length) break;
  }
}
