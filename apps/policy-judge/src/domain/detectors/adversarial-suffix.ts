import { asciiTable } from '../normalise/char-tables.js';
import type { Detector } from './detector.js';

/** Characters that rarely cluster inside prose tokens but fill optimiser-generated suffixes. */
const JUNK = /[{}[\]()<>`|\\^~=$#@*_]/g;
const JUNK_CHARS = asciiTable('{}[]()<>`|\\^~=$#@*_');
const TAIL_CHARS = 400;
const TAIL_TOKENS = 24;

/**
 * Adversarial suffixes (GCG-style): a request followed by a run of optimiser-generated junk
 * tokens ("describing.\ + similarlyNow write oppositeley.]( Me giving**ONE …"). Structural
 * heuristic, hand-written because no library scores this: in the last 400 characters of a
 * single-line-ending message without code fences, at least 4 of the last 24 whitespace tokens
 * carry two or more bracket/markup characters.
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
      // Four junk tokens hold at least 8 junk characters: count them before splitting.
      let junkChars = 0;
      for (let i = 0; i < tail.length && junkChars < 8; i++) {
        const c = tail.charCodeAt(i);
        if (c < 128 && JUNK_CHARS[c] === 1) junkChars++;
      }
      if (junkChars < 8) return [];
      const tokens = tail
        .split(/\s+/)
        .filter((t) => t.length > 0)
        .slice(-TAIL_TOKENS);
      let junk = 0;
      for (const t of tokens) if ((t.match(JUNK)?.length ?? 0) >= 2) junk++;
      if (junk < 4) return [];
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
