/**
 * Named structural features, each scaled to roughly [0, 1] so one L2 penalty suits them all.
 * The cue lists are generic, hand-written signals of instruction override, shell/code payloads and
 * encoded blobs (written from first principles, not taken from any evaluation data).
 */

/** Names of the structural features, in the order of `FeatureVector.structural`. */
export const STRUCTURAL_FEATURES = [
  'length_log',
  'char_entropy',
  'non_ascii_share',
  'zero_width',
  'upper_share',
  'digit_share',
  'symbol_share',
  'override_cues',
  'shell_tokens',
  'encoded_blob',
  'url_count',
  'line_count_log',
] as const;

/** One structural feature name. */
export type StructuralFeatureName = (typeof STRUCTURAL_FEATURES)[number];

const OVERRIDE_CUES =
  /\b(?:ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}?\b(?:instructions?|rules?|guidelines?|directions?|prompts?|restrictions?|polic(?:y|ies)|filters?)\b|\byou are now\b|\bpretend (?:to be|you are|that)\b|\bact as\b|\bdeveloper mode\b|\bjailbr(?:eak|oken)\b|\bdo anything now\b|\bno (?:restrictions|limits|filters|rules)\b|\bsystem prompt\b|\bnew instructions?\b|\bstay in character\b|\bunfiltered\b|\buncensored\b/g;
const SHELL_TOKENS =
  /\brm -rf\b|\bsudo\b|\bcurl\s|\bwget\s|\bchmod\b|\/etc\/(?:passwd|shadow)|\$\(|\|\s*(?:ba)?sh\b|\bpowershell\b|\beval\(|\bexec\(|\bos\.system\b|\bsubprocess\b|\bnc -e\b|\bdrop table\b|\bunion select\b/g;
/** Runs of escaped bytes; long base64 / hex runs are found in the character scan instead (a regex was 10× slower). */
const ESCAPED_BYTES = /(?:\\x[0-9a-fA-F]{2}){4,}|(?:%[0-9a-fA-F]{2}){4,}/;
/** Shortest base64-alphabet run counted as an encoded blob (30 bytes decoded; longer than any word). */
const BASE64_RUN = 40;
/** Shortest all-hex alphanumeric run counted as an encoded blob (a 128-bit digest). */
const HEX_RUN = 32;
const URL = /https?:\/\//g;

function countMatches(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
}

const capped = (count: number, cap: number): number => Math.min(count, cap) / cap;

const byteCounts = new Int32Array(256);

/**
 * Fills `out` (length `STRUCTURAL_FEATURES.length`) from the original content (case, zero-width
 * and non-ASCII survive there) and the normalised text (case-folded, for the cue patterns).
 */
export function computeStructural(content: string, normalised: string, out: Float64Array): void {
  const n = content.length;
  byteCounts.fill(0);
  let letters = 0;
  let upper = 0;
  let digits = 0;
  let symbols = 0;
  let nonAscii = 0;
  let zeroWidth = 0;
  let lines = 1;
  let base64Run = 0;
  let alnumRun = 0;
  let hexRun = 0;
  let blob = false;
  for (let i = 0; i < n; i++) {
    const c = content.charCodeAt(i);
    byteCounts[c & 255]!++;
    const isDigit = c >= 48 && c <= 57;
    const isAlpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    const isHex = isDigit || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
    base64Run = isDigit || isAlpha || c === 43 || c === 47 ? base64Run + 1 : 0;
    if (isDigit || isAlpha) {
      alnumRun++;
      hexRun = isHex ? hexRun + 1 : 0;
    } else {
      if (alnumRun >= HEX_RUN && hexRun === alnumRun) blob = true;
      alnumRun = hexRun = 0;
    }
    if (base64Run >= BASE64_RUN) blob = true;
    if (c >= 97 && c <= 122) letters++;
    else if (c >= 65 && c <= 90) {
      letters++;
      upper++;
    } else if (c >= 48 && c <= 57) digits++;
    else if (c === 10) lines++;
    else if (c >= 33 && c <= 126) symbols++;
    else if (c >= 128) {
      nonAscii++;
      // Zero-width and bidi controls: invisible, so their only use in a prompt is to hide something.
      if (
        (c >= 0x200b && c <= 0x200f) ||
        (c >= 0x202a && c <= 0x202e) ||
        c === 0x2060 ||
        c === 0xfeff
      )
        zeroWidth++;
    }
  }
  if (alnumRun >= HEX_RUN && hexRun === alnumRun) blob = true;
  if (!blob && (content.includes('\\x') || content.includes('%')))
    blob = ESCAPED_BYTES.test(content);
  // Entropy over code units folded to a byte: an approximation, but cheap and stable.
  let entropy = 0;
  if (n > 0) {
    for (let b = 0; b < 256; b++) {
      const k = byteCounts[b]!;
      if (k > 0) {
        const p = k / n;
        entropy -= p * Math.log2(p);
      }
    }
  }
  const share = (k: number): number => (n === 0 ? 0 : k / n);
  out[0] = Math.min(Math.log1p(n) / 10, 1);
  out[1] = entropy / 8;
  out[2] = share(nonAscii);
  out[3] = capped(zeroWidth, 5);
  out[4] = letters === 0 ? 0 : upper / letters;
  out[5] = share(digits);
  out[6] = share(symbols);
  out[7] = capped(countMatches(OVERRIDE_CUES, normalised), 5);
  out[8] = capped(countMatches(SHELL_TOKENS, normalised), 5);
  out[9] = blob ? 1 : 0;
  out[10] = capped(countMatches(URL, normalised), 5);
  out[11] = Math.min(Math.log1p(lines) / 5, 1);
}
