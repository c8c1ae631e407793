import { confusablesMap } from 'confusables';
import { mappedView, type TextView } from './text-view.js';

/**
 * Invisible characters used to split trigger words: zero-width space/joiners, word joiner,
 * BOM, soft hyphen, Mongolian vowel separator, bidi controls.
 */
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
const COMBINING = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/;
/** Unicode "tag" characters (U+E0020..U+E007E) smuggle ASCII invisibly; we decode them. */
const TAG_BASE = 0xe0000;
/**
 * Where the `confusables` map disagrees with how the character reads in running text (Greek iota
 * → `l`/`L`), or has no entry: typographic quotes and dashes, which phones and word processors
 * put in place of `'`, `"` and `-` ("What’s the best way …"), and which policy patterns write plain.
 */
const OVERRIDES = new Map([
  ['Ι', 'i'],
  ['ι', 'i'],
  ...[...'\u2018\u2019\u201a\u201b\u2032\u02bc'].map((c) => [c, "'"] as const),
  ...[...'\u201c\u201d\u201e\u201f\u2033'].map((c) => [c, '"'] as const),
  ...[...'\u2010\u2011\u2012\u2013\u2014\u2015\u2212'].map((c) => [c, '-'] as const),
]);

/**
 * True when the text has anything outside printable ASCII and so may hide obfuscation, or spaces
 * and tabs in runs (patterns write one space: "how do I  find  a …" would slip past them).
 */
export function needsFolding(text: string): boolean {
  // Deliberately matching non-ASCII: a cheap fast path.
  return /[^\x00-\x7f]|\t|  /.test(text);
}

/**
 * Fold one code point to what it looks like: confusables (the `confusables` package's map of
 * 3,000+ homoglyphs, e.g. Cyrillic `а` → `a`, math bold `𝐢` → `i`), then NFKD with marks
 * stripped (`é` → `e`, full-width `ｉ` → `i`). Returns '' for invisible characters.
 */
function foldCodePoint(ch: string, cp: number): string {
  if (cp >= TAG_BASE + 0x20 && cp <= TAG_BASE + 0x7e) return String.fromCharCode(cp - TAG_BASE);
  if (cp >= TAG_BASE && cp <= TAG_BASE + 0x7f) return '';
  if (INVISIBLE.test(ch) || COMBINING.test(ch)) return '';
  // Look up the lower-case form first: the map folds some capitals ambiguously (Greek `Ι` → `l`),
  // and detectors match case-insensitively anyway.
  const override = OVERRIDES.get(ch);
  if (override !== undefined) return override;
  const lower = ch.toLowerCase();
  const confusable =
    (lower.length === ch.length ? confusablesMap.get(lower) : undefined) ?? confusablesMap.get(ch);
  if (confusable !== undefined) return confusable;
  const decomposed = ch.normalize('NFKD');
  let out = '';
  for (const c of decomposed) if (!COMBINING.test(c)) out += c;
  return out;
}

/**
 * Folded forms by code point. The alphabet an agent writes in is small and the same characters
 * recur (curly quotes, accented letters), while folding one costs regex tests, a case mapping, a
 * map lookup and an NFKD; bounded so adversarial input cannot grow it without limit.
 */
const FOLD_CACHE_LIMIT = 4096;
const foldCache = new Map<number, string>();

function foldCached(text: string, i: number, cp: number, width: number): string {
  let folded = foldCache.get(cp);
  if (folded === undefined) {
    folded = foldCodePoint(width === 2 ? text.slice(i, i + 2) : text[i]!, cp);
    if (foldCache.size < FOLD_CACHE_LIMIT) foldCache.set(cp, folded);
  }
  return folded;
}

/**
 * The de-obfuscated view: homoglyphs folded to ASCII look-alikes, invisible characters and
 * combining marks removed, compatibility forms normalised, typographic quotes and dashes made
 * plain, runs of spaces and tabs written as one space; each view character maps back to the
 * original code point that produced it.
 *
 * Built for the hot path: runs of ASCII are copied as one slice, and the maps are typed arrays
 * sized to the input (grown only when a character folds to several), not one string
 * concatenation and two array pushes per character. Only each view character's source start is
 * kept; its end follows from the source text.
 */
export function foldedView(text: string): TextView {
  let starts = new Uint32Array(text.length);
  let n = 0; // view characters so far
  let out = '';
  let run = 0; // start of the pending ASCII run in `text`
  let i = 0;
  let afterSpace = false; // the last view character is a space: more spaces or tabs are dropped
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x20 || c === 0x09) {
        if (afterSpace || c === 0x09) {
          // A run of blanks reads as one space: drop the extra ones, write a tab as a space.
          out += text.slice(run, i);
          if (!afterSpace) {
            out += ' ';
            starts[n++] = i;
          }
          run = ++i;
          afterSpace = true;
          continue;
        }
        afterSpace = true;
      } else afterSpace = false;
      starts[n++] = i++;
      continue;
    }
    const cp = text.codePointAt(i) ?? c;
    const width = cp > 0xffff ? 2 : 1;
    let folded = foldCached(text, i, cp, width);
    if (folded === ' ' && afterSpace) folded = ''; // a no-break space after a space
    if (folded.length > 0) afterSpace = folded.endsWith(' ');
    // A character that folds to several (NFKD `ﬁ` → `fi`) makes the view longer than the input.
    // The ASCII path writes one slot per input character, so keep room for all that is left.
    const need = n + folded.length + (text.length - i - width);
    if (need > starts.length) {
      const grown = new Uint32Array(Math.max(starts.length * 2, need));
      grown.set(starts.subarray(0, n));
      starts = grown;
    }
    for (let k = 0; k < folded.length; k++) starts[n++] = i;
    out += text.slice(run, i) + folded;
    i += width;
    run = i;
  }
  out += text.slice(run);
  return mappedView('folded', out, text, starts.subarray(0, n));
}
