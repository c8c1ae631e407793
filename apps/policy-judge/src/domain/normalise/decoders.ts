import type { Span } from '../finding.js';
import { asciiTable, hasRun, WHITESPACE } from './char-tables.js';

/** A decoded payload found in the text: what it says and where its encoded form sits. */
export interface DecodedSegment {
  kind: 'base64' | 'hex' | 'url';
  text: string;
  segment: Span;
}

// All patterns below are linear: single character classes with one quantifier each.
const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const HEX_RUN = /(?:(?:\\x|0x)?[0-9a-fA-F]{2}[\s,:]?){8,}/g;
const URL_RUN = /[^\s%]*(?:%[0-9A-Fa-f]{2}[^\s%]*){3,}/g;
/** Characters of BASE64_RUN. */
const BASE64_CHARS = asciiTable(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-',
);
const HEX_DIGITS = asciiTable('0123456789abcdefABCDEF');
/** Characters of HEX_RUN other than hex digits: the `\\x`/`0x` prefixes and the `[\s,:]` separators. */
const HEX_OTHER = asciiTable('\\x,:');

/**
 * Whether HEX_RUN can match: every character of a match is a hex digit, a separator or a
 * prefix character, and a match has at least 16 hex digits; so some stretch of such
 * characters must hold 16 hex digits.
 */
function mayHaveHexRun(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && HEX_DIGITS[c] === 1) {
      if (++digits >= 16) return true;
    } else if (!((c < 128 && HEX_OTHER[c] === 1) || WHITESPACE[c] === 1)) digits = 0;
  }
  return false;
}

/** Encoded segments longer than this are decoded only up to it (bounded work per segment). */
const MAX_SEGMENT_CHARS = 16_384;

/** Share of the decoded text that is printable ASCII/whitespace: rejects random hashes and keys. */
function looksLikeText(s: string): boolean {
  if (s.length < 4) return false;
  let printable = 0;
  let letters = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) printable++;
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) letters++;
  }
  // Fixed-width pattern: linear on any input (a greedy `[a-z]{2,}…` would be quadratic on long runs).
  return (
    printable / s.length >= 0.9 &&
    letters / s.length >= 0.5 &&
    /[a-z]{2}[\s.,:;!?][a-z]{2}/i.test(s)
  );
}

function decodeBase64(seg: string): string {
  return Buffer.from(seg.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
}

function decodeHex(seg: string): string {
  const hex = seg.replace(/\\x|0x|[\s,:]/gi, '');
  return Buffer.from(hex.length % 2 === 0 ? hex : hex.slice(0, -1), 'hex').toString('utf8');
}

function decodeUrl(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) =>
      String.fromCharCode(parseInt(h, 16)),
    );
  }
}

/**
 * Find base64 / hex / URL-encoded payloads and decode the ones that turn out to be text.
 * At most `maxSegments` are returned, so a flood of encoded junk costs bounded work.
 */
export function findEncodedSegments(text: string, maxSegments: number): DecodedSegment[] {
  const out: DecodedSegment[] = [];
  const scan = (re: RegExp, kind: DecodedSegment['kind'], decode: (s: string) => string) => {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      if (out.length >= maxSegments) return;
      const decoded = decode(
        m[0].length > MAX_SEGMENT_CHARS ? m[0].slice(0, MAX_SEGMENT_CHARS) : m[0],
      );
      if (looksLikeText(decoded))
        out.push({ kind, text: decoded, segment: { start: m.index, end: m.index + m[0].length } });
    }
  };
  if (text.includes('%')) scan(URL_RUN, 'url', decodeUrl);
  if (mayHaveHexRun(text)) scan(HEX_RUN, 'hex', decodeHex);
  if (hasRun(text, BASE64_CHARS, 16)) scan(BASE64_RUN, 'base64', decodeBase64);
  return out;
}

/** ROT13 (self-inverse, same length, so spans map 1:1). */
export function rot13(text: string): string {
  // A char-code loop (no per-letter regex callback); code units are copied as they are.
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) codes[i] = ((c - 84) % 26) + 97;
    else if (c >= 65 && c <= 90) codes[i] = ((c - 52) % 26) + 65;
    else codes[i] = c;
  }
  let out = '';
  for (let i = 0; i < codes.length; i += 8192)
    out += String.fromCharCode(...codes.subarray(i, i + 8192));
  return out;
}

const STOPWORD_LIST = [
  'the',
  'and',
  'you',
  'your',
  'to',
  'of',
  'is',
  'are',
  'how',
  'what',
  'ignore',
  'instructions',
  'make',
  'write',
  'this',
  'that',
];
const STOPWORDS = new RegExp(`\\b(?:${STOPWORD_LIST.join('|')})\\b`, 'gi');
/**
 * The stop words as they read after ROT13. ROT13 maps letters to letters and leaves every
 * other character alone, so word boundaries stay put and `rot13(t)` has exactly as many
 * STOPWORDS matches as `t` has ROT13_STOPWORDS matches: counting them needs no rotated copy.
 */
const ROT13_STOPWORDS = new RegExp(`\\b(?:${STOPWORD_LIST.map(rot13).join('|')})\\b`, 'gi');
const ROT13_HINT = /\b(?:rot-?13|caesar|cipher|rotated|decode)\b/i;

/**
 * Whether a ROT13 view is worth scanning: the text says so (a hint word), or decoding it
 * yields clearly more English function words than the text itself has.
 */
export function rot13Likely(text: string): boolean {
  if (ROT13_HINT.test(text)) return true;
  if (text.length < 24) return false;
  const sample = text.length > 4096 ? text.slice(0, 4096) : text;
  const plain = sample.match(STOPWORDS)?.length ?? 0;
  if (plain >= 3) return false;
  const rotated = sample.match(ROT13_STOPWORDS)?.length ?? 0;
  return rotated >= 3 && rotated > plain * 2;
}
