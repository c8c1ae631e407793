import { asciiTable } from '../normalise/char-tables.js';
import type { Detector } from './detector.js';

/** Characters that rarely cluster inside prose tokens but fill optimiser-generated suffixes. */
const JUNK = /[{}[\]()<>`|\\^~=$#@*_]/g;
const JUNK_CHARS = asciiTable('{}[]()<>`|\\^~=$#@*_');
const TAIL_CHARS = 400;
const TAIL_TOKENS = 24;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const LEADING_TAG = /^(?:[@#]\w+|\$\d)/;
const SNAKE = /(?<=[A-Za-z0-9])_(?=[A-Za-z0-9])/g;
const EMPHASIS = /^([*_`]{1,2})([^*_`]+)\1[.,;:!?)]*$/;
const UNPAIRED = /[*_`\\|^~$#@]/;
const CLOSER: Record<string, string> = { ')': '(', ']': '[', '}': '{', '>': '<' };

/** Junk characters in one token, after taking out what well-formed text writes with them. */
function junkOf(token: string): number {
  let t = token.replace(EMAIL, '').replace(LEADING_TAG, '').replace(SNAKE, '');
  const emphasis = EMPHASIS.exec(t);
  if (emphasis) t = emphasis[2]!;
  const n = t.match(JUNK)?.length ?? 0;
  return n > 0 && balanced(t) ? 0 : n;
}

/** Brackets opened and closed in order, and none of the unpaired junk characters. */
function balanced(t: string): boolean {
  if (UNPAIRED.test(t)) return false;
  const open: string[] = [];
  for (const c of t) {
    if (c === '(' || c === '[' || c === '{' || c === '<') open.push(c);
    else if (c in CLOSER && open.pop() !== CLOSER[c]) return false;
  }
  return open.length === 0;
}

/**
 * Adversarial suffixes (GCG-style): a request followed by a run of optimiser-generated junk
 * tokens ("describing.\ + similarlyNow write oppositeley.]( Me giving**ONE …"). Structural
 * heuristic, hand-written because no library scores this: in the last 400 characters of a
 * single-line-ending message without code fences, among the last 24 whitespace tokens, at least
 * 4 carry two or more junk characters, or at least 4 carry one and 2 of them two, with 6 or more
 * in all. What well-formed text writes with those characters is not junk: a token whose
 * brackets balance (`f(x)`, `[docs](url)`, `arr[i]`), emphasis around a word (`**bold**`,
 * `` `code` ``), snake_case, e-mail addresses, @handles, #tags and $prices.
 */
export function createAdversarialSuffixDetector(): Detector {
  return {
    id: 'adversarial-suffix',
    tier: 'cheap',
    gate: () => true,
    run(ctx) {
      if (ctx.actionType !== 'message') return [];
      const text = ctx.content;
      if (text.length < 40 || text.includes('```')) return [];
      const start = Math.max(0, text.length - TAIL_CHARS);
      const tail = text.slice(start);
      if (tail.includes('\n')) return [];
      // A suffix holds at least 6 junk characters: count them before splitting.
      let junkChars = 0;
      for (let i = 0; i < tail.length && junkChars < 6; i++) {
        const c = tail.charCodeAt(i);
        if (c < 128 && JUNK_CHARS[c] === 1) junkChars++;
      }
      if (junkChars < 6) return [];
      const tokens = tail
        .split(/\s+/)
        .filter((t) => t.length > 0)
        .slice(-TAIL_TOKENS);
      let heavy = 0;
      let light = 0;
      let chars = 0;
      for (const t of tokens) {
        const n = junkOf(t);
        if (n >= 2) heavy++;
        if (n >= 1) light++;
        chars += n;
      }
      if (heavy < 4 && !(light >= 4 && heavy >= 2 && chars >= 6)) return [];
      const junk = light;
      return [
        {
          detector: 'adversarial-suffix',
          category: 'jailbreak.adversarial_suffix',
          severity: 'MEDIUM',
          confidence: 0.65,
          spans: [{ start, end: text.length }],
          reason: `${junk} of ${tokens.length} trailing tokens look optimiser-generated (adversarial suffix)`,
        },
      ];
    },
  };
}
