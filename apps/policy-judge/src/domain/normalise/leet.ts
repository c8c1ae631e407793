/**
 * Leetspeak: digits written for the letters they look like, inside words ("c0ke dea1er",
 * "h0w t0 k1ll", "3xplosives"). Policy patterns are written in letters, so without this view
 * one digit defeats every rule (found in review, `perf/RESULTS.md`, policy 1.7.0).
 *
 * Only digits in a word are read as letters: a run of letters and digits with at least two
 * letters ("v1.2", "2024", "x86", "h264" keep their digits: they are versions, years and
 * names, not words). The view is built only when some word has a digit between letters or
 * starts with one before three letters, so ordinary text costs a single regex test. Every
 * replacement is one character for one, so a match maps back to the same offsets.
 *
 * Hand-written because no leetspeak library fits the hot path: the npm ones translate whole
 * texts to and from leet for display, with no same-length guarantee and several characters per
 * letter.
 */

/** A digit between letters, or a digit starting a word before three letters. */
const LEET_HINT = /[a-z][013457]+[a-z]|(?<![a-z0-9])[013457][a-z]{3}/i;
/** A word of letters and digits. */
const WORD = /[a-z0-9]+/gi;
const LETTERS_2 = /[a-z][^a-z]*[a-z]/i;

const BASE: Record<string, string> = { '0': 'o', '3': 'e', '4': 'a', '5': 's', '7': 't' };

/** True when the text has a word that looks written in leetspeak. */
export function leetLikely(text: string): boolean {
  return LEET_HINT.test(text);
}

/**
 * The text with each leet digit inside a word read as its letter; `1` is read as `one` (`i` in
 * "k1ll", `l` in "dea1er": the caller builds a view for each when the text has a `1` to read).
 */
export function deleet(text: string, one: 'i' | 'l'): string {
  return text.replace(WORD, (word) => {
    if (!LETTERS_2.test(word) || !/[013457]/.test(word)) return word;
    let out = '';
    for (const ch of word) out += ch === '1' ? one : (BASE[ch] ?? ch);
    return out;
  });
}
