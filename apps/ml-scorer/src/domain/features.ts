/**
 * Feature extraction for the risk model: hashed character n-grams, hashed word uni/bigrams and a
 * dozen named structural features. Hand-written on purpose: this is the hot path (≥ 20k scores/s
 * per core for 1 KB texts), so it hashes straight from char codes into reusable typed arrays
 * instead of building token strings, and no JS text-vectoriser we know does that. Hashing also
 * means the shipped model stores no vocabulary, so no training text ends up in the weights file.
 */
import { FIBONACCI, HASH_SEEDS } from './hashing';
import { computeStructural, STRUCTURAL_FEATURES } from './structural-features';

export { STRUCTURAL_FEATURES };
export type { StructuralFeatureName } from './structural-features';

/** Kinds of hashed feature (kept as small integers in a Uint8Array). */
export const FEATURE_KIND = { char: 0, word: 1, wordBigram: 2 } as const;
/** Human-readable prefix of each kind, used in `top_features` names. */
export const FEATURE_KIND_NAMES = ['char', 'word', 'word2'] as const;

/** How text is turned into hashed features; stored in the model file so training and inference agree. */
export interface HashingConfig {
  /** log2 of the weight vector length (collisions are signed, so they cancel on average). */
  hashBits: number;
  /** Shortest character n-gram. */
  charNgramMin: number;
  /** Longest character n-gram. */
  charNgramMax: number;
}

/**
 * The features of one text. Hashed entries are parallel arrays of length `count` (one entry per
 * occurrence; repeated n-grams simply add up, i.e. raw term frequency). When extracted with spans,
 * `kind`/`start`/`length` point into `text` (the normalised text) so explanations can name a
 * feature without a stored vocabulary; otherwise their contents are stale.
 */
export interface FeatureVector {
  count: number;
  index: Int32Array;
  value: Float32Array;
  kind: Uint8Array;
  start: Int32Array;
  length: Int32Array;
  text: string;
  structural: Float64Array;
}

/** Extracts features; the returned vector's buffers are reused and valid until the next call. */
export interface FeatureExtractor {
  readonly config: HashingConfig;
  /**
   * `withSpans` also fills `kind`, `start` and `length` (needed only to name features in
   * explanations; skipping them saves three stores per feature on the scoring path).
   */
  extract(content: string, withSpans?: boolean): FeatureVector;
  /**
   * The scoring fast path: Σ weights[bucket]·value over the hashed features, computed while
   * hashing, without storing them (same features, same scaling as `extract`). Also refreshes
   * `structural`, the structural features of `content`, valid until the next call.
   */
  dot(content: string, weights: Float32Array): number;
  readonly structural: Float64Array;
}

// Module-local copies: reading an imported binding can cost a getter call per access under
// some loaders (tsx), which showed up as the top frame of the profile.
const SEED_CHAR = HASH_SEEDS.char;
const SEED_WORD = HASH_SEEDS.word;
const SEED_BIGRAM = HASH_SEEDS.bigram;
const FNV_PRIME = 0x01000193;
const FIB = FIBONACCI;
const KIND_CHAR = FEATURE_KIND.char;
const KIND_WORD = FEATURE_KIND.word;
const KIND_BIGRAM = FEATURE_KIND.wordBigram;

const NON_ASCII = /[^\u0000-\u007f]/;
const WHITESPACE_RUN = /\s+/g;
const NEEDS_COLLAPSE = /\s\s|[^\S ]/;

/**
 * Lower-cases, NFKC-normalises (only when non-ASCII is present: it folds full-width and
 * compatibility look-alikes that are a cheap evasion, and costs nothing on ASCII text) and
 * collapses whitespace runs.
 */
export function normaliseText(content: string): string {
  const folded = (NON_ASCII.test(content) ? content.normalize('NFKC') : content).toLowerCase();
  // Most texts have no run to collapse; testing first skips building an identical copy.
  return NEEDS_COLLAPSE.test(folded) ? folded.replace(WHITESPACE_RUN, ' ') : folded;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 39 || c >= 128;
}

/** Creates an extractor with its own growable scratch buffers (one per scorer; not re-entrant). */
export function createFeatureExtractor(config: HashingConfig): FeatureExtractor {
  if (!Number.isInteger(config.hashBits) || config.hashBits < 4 || config.hashBits > 24) {
    throw new RangeError(`hashBits must be an integer in [4, 24], got ${config.hashBits}`);
  }
  if (config.charNgramMin < 1 || config.charNgramMax < config.charNgramMin) {
    throw new RangeError('charNgramMin must be ≥ 1 and ≤ charNgramMax');
  }
  const bits = config.hashBits;
  const shift = 32 - bits;
  const { charNgramMin: nMin, charNgramMax: nMax } = config;
  let capacity = 4096;
  const vec: FeatureVector = {
    count: 0,
    index: new Int32Array(capacity),
    value: new Float32Array(capacity),
    kind: new Uint8Array(capacity),
    start: new Int32Array(capacity),
    length: new Int32Array(capacity),
    text: '',
    structural: new Float64Array(STRUCTURAL_FEATURES.length),
  };

  function ensure(extra: number): void {
    if (vec.count + extra <= capacity) return;
    while (capacity < vec.count + extra) capacity *= 2;
    const grow = <T extends Int32Array | Float32Array | Uint8Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    vec.index = grow(vec.index, (n) => new Int32Array(n));
    vec.value = grow(vec.value, (n) => new Float32Array(n));
    vec.kind = grow(vec.kind, (n) => new Uint8Array(n));
    vec.start = grow(vec.start, (n) => new Int32Array(n));
    vec.length = grow(vec.length, (n) => new Int32Array(n));
  }

  /**
   * One walk over the text for both uses, so training (which stores features) and scoring
   * (which only sums weights) cannot drift apart. `weights` null: store into `vec`; otherwise
   * return the weighted sum and store nothing.
   */
  let codes = new Uint16Array(4096);

  function walk(content: string, withSpans: boolean, weights: Float32Array | null): number {
    const text = normaliseText(content);
    const n = text.length;
    vec.count = 0;
    vec.text = text;
    computeStructural(content, text, vec.structural);
    // Worst case: every position starts every n-gram length, plus two word features per char.
    if (weights === null) ensure(Math.max(0, n - nMin + 1) * (nMax - nMin + 1) + 2 * n + 2);
    const store = weights === null;
    const w = weights ?? EMPTY;
    let sumChar = 0;
    let sumWord = 0;
    // Locals, not `vec.*` or imported bindings, inside the loops: this is the hot path.
    const index = vec.index;
    const value = vec.value;
    const kind = vec.kind;
    const startAt = vec.start;
    const length = vec.length;
    let count = 0;
    // The number of char n-grams is known up front, so values are written already scaled.
    let charTotal = 0;
    for (let g = nMin; g <= nMax; g++) charTotal += Math.max(0, n - g + 1);
    const plus = charTotal > 0 ? 1 / Math.sqrt(charTotal) : 0;
    const minus = -plus;

    // Character n-grams, FNV-1a extended one char at a time so each n-gram length costs one step.
    // Char codes copied once into a typed array: cheaper to read nMax times than charCodeAt.
    if (codes.length < n) codes = new Uint16Array(Math.max(n, 2 * codes.length));
    for (let i = 0; i < n; i++) codes[i] = text.charCodeAt(i);
    const c = codes;
    for (let i = 0; i + nMin <= n; i++) {
      let h = SEED_CHAR;
      const last = Math.min(nMax, n - i);
      for (let k = 0; k < last; k++) {
        h = Math.imul(h ^ c[i + k]!, FNV_PRIME);
        if (k + 1 >= nMin) {
          // Bucket from the top bits, sign from the bit below them (see `bucketOf`).
          const m = Math.imul(h, FIB);
          if (!store) {
            sumChar += m << bits < 0 ? -w[m >>> shift]! : w[m >>> shift]!;
            count++;
            continue;
          }
          index[count] = m >>> shift;
          value[count] = m << bits < 0 ? minus : plus;
          if (withSpans) {
            kind[count] = KIND_CHAR;
            startAt[count] = i;
            length[count] = k + 1;
          }
          count++;
        }
      }
    }
    const charEnd = count;

    // Word unigrams and bigrams.
    let prev = 0;
    let prevStart = -1;
    let i = 0;
    while (i < n) {
      while (i < n && !isWordChar(text.charCodeAt(i))) i++;
      if (i >= n) break;
      const start = i;
      let h = SEED_WORD;
      while (i < n && isWordChar(text.charCodeAt(i)))
        h = Math.imul(h ^ text.charCodeAt(i++), FNV_PRIME);
      let m = Math.imul(h, FIB);
      if (store) {
        index[count] = m >>> shift;
        value[count] = m << bits < 0 ? -1 : 1;
      } else sumWord += m << bits < 0 ? -w[m >>> shift]! : w[m >>> shift]!;
      if (withSpans) {
        kind[count] = KIND_WORD;
        startAt[count] = start;
        length[count] = i - start;
      }
      count++;
      if (prevStart >= 0) {
        m = Math.imul(Math.imul(prev ^ SEED_BIGRAM, FNV_PRIME) ^ h, FIB);
        if (!store) {
          sumWord += m << bits < 0 ? -w[m >>> shift]! : w[m >>> shift]!;
          count++;
          prev = h;
          prevStart = start;
          continue;
        }
        index[count] = m >>> shift;
        value[count] = m << bits < 0 ? -1 : 1;
        if (withSpans) {
          kind[count] = KIND_BIGRAM;
          startAt[count] = prevStart;
          length[count] = i - prevStart;
        }
        count++;
      }
      prev = h;
      prevStart = start;
    }
    if (!store) {
      const words = count - charEnd;
      return sumChar * plus + (words > 0 ? sumWord / Math.sqrt(words) : 0);
    }
    vec.count = count;
    scale(value, charEnd, count);
    return 0;
  }

  return {
    config: { ...config },
    structural: vec.structural,
    extract(content: string, withSpans = false): FeatureVector {
      walk(content, withSpans, null);
      return vec;
    },
    dot(content: string, weights: Float32Array): number {
      if (weights.length !== 1 << bits) throw new RangeError(`weights must have 2^${bits} entries`);
      return walk(content, false, weights);
    },
  };
}

const EMPTY = new Float32Array(0);

/** Multiplies `value[from, to)` by 1/sqrt(to - from): each namespace gets unit norm when no feature repeats. */
function scale(value: Float32Array, from: number, to: number): void {
  if (to <= from) return;
  const s = 1 / Math.sqrt(to - from);
  for (let i = from; i < to; i++) value[i] = value[i]! * s;
}

/** A compact, owned copy of a vector (training keeps one per example; the extractor reuses its own). */
export function copyFeatures(v: FeatureVector): FeatureVector {
  return {
    count: v.count,
    index: v.index.slice(0, v.count),
    value: v.value.slice(0, v.count),
    kind: v.kind.slice(0, v.count),
    start: v.start.slice(0, v.count),
    length: v.length.slice(0, v.count),
    text: v.text,
    structural: v.structural.slice(),
  };
}
