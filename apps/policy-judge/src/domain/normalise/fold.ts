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
/** Where the `confusables` map disagrees with how the letter reads in running text (Greek iota → `l`/`L`). */
const OVERRIDES = new Map([
  ['Ι', 'i'],
  ['ι', 'i'],
]);

/** True when the text has anything outside printable ASCII and so may hide obfuscation. */
export function needsFolding(text: string): boolean {
  // Deliberately matching non-ASCII: a cheap fast path.
  return /[^\x00-\x7f]/.test(text);
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
  const confusable = (lower.length === ch.length ? confusablesMap.get(lower) : undefined) ?? confusablesMap.get(ch);
  if (confusable !== undefined) return confusable;
  const decomposed = ch.normalize('NFKD');
  let out = '';
  for (const c of decomposed) if (!COMBINING.test(c)) out += c;
  return out;
}

/**
 * The de-obfuscated view: homoglyphs folded to ASCII look-alikes, invisible characters and
 * combining marks removed, compatibility forms normalised; each view character maps back to
 * the original code point that produced it.
 */
export function foldedView(text: string): TextView {
  let out = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    const ch = width === 2 ? text.slice(i, i + 2) : text[i]!;
    const folded = cp < 0x80 ? ch : foldCodePoint(ch, cp);
    for (let k = 0; k < folded.length; k++) {
      starts.push(i);
      ends.push(i + width);
    }
    out += folded;
    i += width;
  }
  return mappedView('folded', out, Uint32Array.from(starts), Uint32Array.from(ends));
}
