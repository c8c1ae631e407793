/**
 * Word features for the intent model: hashed word unigrams, bigrams and skip-bigrams (a word and
 * the one two places on), over lower-cased, lightly stemmed words. Hand-written for speed: it
 * hashes from char codes into reusable typed arrays (no token strings, no vocabulary), so a 1 KB
 * text costs a few microseconds and the judge can run the model on every action. Hashing means
 * the model file stores no training text.
 */

/** The features of one text: `count` parallel entries (bucket index, value). Buffers are reused. */
export interface SparseFeatures {
  count: number;
  index: Int32Array;
  value: Float32Array;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const FIB = 0x9e3779b1;
const SEED_BIGRAM = 0x27d4eb2f;
const SEED_SKIP = 0x165667b1;
const NON_ASCII = /[^\u0000-\u007f]/;

/** At most this many words are read (the model judges intent, which shows early; bounds the cost). */
export const MAX_WORDS = 4096;

/** The lower-case letter or digit code of `c`, or -1 for a word break; apostrophes are skipped (-2). */
function wordChar(c: number): number {
  if (c >= 97 && c <= 122) return c;
  if (c >= 65 && c <= 90) return c + 32;
  if (c >= 48 && c <= 57) return c;
  if (c === 39 || c === 0x2019) return -2;
  if (c > 127) return c; // letters of other scripts (text was NFKC-folded and lower-cased first)
  return -1;
}

/**
 * Light stemming on the hash: the word's length is cut before a plural `s` or an `ing`/`ed`
 * ending so "bombs"/"bomb" and "hacking"/"hack" share a feature. Returns the kept length.
 */
function stemLength(codes: Int32Array, n: number): number {
  if (n > 5 && codes[n - 3] === 105 && codes[n - 2] === 110 && codes[n - 1] === 103) return n - 3; // -ing
  if (n > 4 && codes[n - 2] === 101 && codes[n - 1] === 100) return n - 2; // -ed
  if (n > 3 && codes[n - 1] === 115 && codes[n - 2] !== 115 && codes[n - 2] !== 117) return n - 1; // -s (not -ss, -us)
  return n;
}

/** Creates an extractor with buffers for `maxWords` words. */
export function createWordFeatures(hashBits: number, maxWords = MAX_WORDS) {
  const mask = (1 << hashBits) - 1;
  const shift = 32 - hashBits;
  const cap = maxWords * 3;
  const out: SparseFeatures = { count: 0, index: new Int32Array(cap), value: new Float32Array(cap) };
  const codes = new Int32Array(64);

  const bucket = (h: number): number => (Math.imul(h, FIB) >>> shift) & mask;
  const sign = (h: number): number => ((Math.imul(h, FIB) >>> (shift - 1)) & 1 ? -1 : 1);

  /** Extracts the features of `content`; the result's buffers are valid until the next call. */
  function extract(content: string): SparseFeatures {
    const text = NON_ASCII.test(content) ? content.normalize('NFKC').toLowerCase() : content;
    let count = 0;
    let prev1 = 0;
    let prev2 = 0;
    let words = 0;
    let len = 0;
    const push = (h: number) => {
      out.index[count] = bucket(h);
      out.value[count] = sign(h);
      count++;
    };
    const endWord = () => {
      if (len === 0) return;
      const n = stemLength(codes, Math.min(len, codes.length));
      let h = FNV_OFFSET;
      for (let i = 0; i < n; i++) h = Math.imul(h ^ codes[i]!, FNV_PRIME);
      h >>>= 0;
      push(h);
      if (prev1 !== 0) push(Math.imul(prev1 ^ SEED_BIGRAM, FNV_PRIME) ^ h);
      if (prev2 !== 0) push(Math.imul(prev2 ^ SEED_SKIP, FNV_PRIME) ^ h);
      prev2 = prev1;
      prev1 = h;
      len = 0;
      words++;
    };
    for (let i = 0; i < text.length && words < maxWords; i++) {
      const c = wordChar(text.charCodeAt(i));
      if (c === -2) continue;
      if (c === -1) endWord();
      else if (len < codes.length) codes[len++] = c;
      else len++;
    }
    if (words < maxWords) endWord();
    const scale = count === 0 ? 0 : 1 / Math.sqrt(count);
    for (let i = 0; i < count; i++) out.value[i] = out.value[i]! * scale;
    out.count = count;
    return out;
  }
  return { extract, hashBits };
}

/** A word-feature extractor (see `createWordFeatures`). */
export type WordFeatures = ReturnType<typeof createWordFeatures>;
