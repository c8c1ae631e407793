import type { Span } from '../finding.js';
import type { TextView } from './text-view.js';

/**
 * Chat spelling read as standard English: "how 2 get somones password", "whats the best way",
 * "u", "dont", "shes", and a few misspellings of the words rules look for ("bom", "poision").
 * Policy patterns are written in standard spelling, so without this view informal writing walks
 * past them (found with own-wording sets, `perf/RESULTS.md`, issue 13). Real users write like
 * this far more often than the evaluation files do.
 *
 * The view is built only when the text has such a token, so ordinary text costs one regex test.
 * Replacements change lengths ("u" → "you"), so each view character maps back to the source
 * character it came from (every character of a replacement to the replaced token's start and
 * end), and from there through the source view's own map to the original text.
 *
 * Hand-written because no npm slang normaliser fits: the ones published expand emoji or
 * translate whole texts, with no offset map and no bound on their cost.
 */

/** Whole words read as something else (lower case keys; matched case-insensitively). */
const WORDS: Readonly<Record<string, string>> = {
  u: 'you',
  ur: 'your',
  ya: 'you',
  whats: "what's",
  wats: "what's",
  wat: 'what',
  wut: 'what',
  hw: 'how',
  dont: "don't",
  cant: "can't",
  wont: "won't",
  im: "i'm",
  ive: "i've",
  youre: "you're",
  theyre: "they're",
  shes: "she's",
  hes: "he's",
  isnt: "isn't",
  doesnt: "doesn't",
  didnt: "didn't",
  wouldnt: "wouldn't",
  shouldnt: "shouldn't",
  couldnt: "couldn't",
  arent: "aren't",
  wasnt: "wasn't",
  somone: 'someone',
  somones: "someone's",
  someones: "someone's",
  sum1: 'someone',
  some1: 'someone',
  ppl: 'people',
  pls: 'please',
  plz: 'please',
  cuz: 'because',
  coz: 'because',
  gf: 'girlfriend',
  bf: 'boyfriend',
  gonna: 'going to',
  wanna: 'want to',
  gotta: 'got to',
  lemme: 'let me',
  gimme: 'give me',
  tryna: 'trying to',
  thru: 'through',
  abt: 'about',
  bom: 'bomb',
  boms: 'bombs',
  poision: 'poison',
  poisin: 'poison',
  posion: 'poison',
  explosivs: 'explosives',
  amunition: 'ammunition',
  sucide: 'suicide',
  suicde: 'suicide',
  cocain: 'cocaine',
  pasword: 'password',
  passwrd: 'password',
  acount: 'account',
};

/** `2` read as `to` and `r` as `are` only after the words that take them ("how 2", "how r u"). */
const TWO_AFTER = 'how|going|trying|way|ways';
const R_AFTER = 'how|what|where|who|why|when|u|you|they|we';

const TOKEN = new RegExp(
  `\\b(?:${Object.keys(WORDS).join('|')})\\b(?![-'’.]\\w)|\\b(?<=(?:${TWO_AFTER}) )2\\b|\\b(?<=(?:${R_AFTER}) )r\\b`,
  'gi',
);

/** True when the text has a token this view would rewrite. */
export function informalLikely(text: string): boolean {
  TOKEN.lastIndex = 0;
  return TOKEN.test(text);
}

/** `source` rewritten, or undefined when nothing changes. Maps through `source`'s own view. */
export function informalView(source: TextView): TextView | undefined {
  const text = source.text;
  let out = '';
  // For each output character: the source range it came from.
  const from: number[] = [];
  const to: number[] = [];
  let last = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const token = m[0].toLowerCase();
    const read = token === '2' ? 'to' : token === 'r' ? 'are' : WORDS[token];
    if (read === undefined) continue;
    for (let i = last; i < m.index; i++) {
      from.push(i);
      to.push(i + 1);
    }
    out += text.slice(last, m.index) + read;
    for (let i = 0; i < read.length; i++) {
      from.push(m.index);
      to.push(m.index + m[0].length);
    }
    last = m.index + m[0].length;
  }
  if (last === 0) return undefined;
  for (let i = last; i < text.length; i++) {
    from.push(i);
    to.push(i + 1);
  }
  out += text.slice(last);
  const starts = Uint32Array.from(from);
  const ends = Uint32Array.from(to);
  return {
    kind: 'informal',
    text: out,
    toOriginal(start: number, end: number): Span {
      if (out.length === 0) return source.toOriginal(0, 0);
      const s = starts[Math.min(start, out.length - 1)]!;
      const e = ends[Math.max(0, Math.min(end, out.length) - 1)]!;
      return source.toOriginal(s, Math.max(s, e));
    },
  };
}
