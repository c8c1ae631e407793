/**
 * Phone numbers in national and international formats. A bounded regex finds digit groups that
 * look like a dialled number; `libphonenumber-js` (max metadata, Google's numbering plans)
 * decides validity, so we never maintain per-country rules ourselves.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { Span } from '../../finding.js';
import { hasContextBefore, type Emit } from './scan-context.js';

/**
 * Optional `+`, then digit groups. Every group after the first starts with a separator or a
 * parenthesised part such as `(0)` or `(20)`, so consecutive digit runs never compete for the
 * same digits and the match is linear. An extension (`x123`, `ext. 12`) may follow.
 */
const CANDIDATE_RE =
  /(?<![\w.+/-])(?:\+[ ]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,14}(?:(?:[ .-]|[ ]?[-/][ ]?)(?:\(\d{1,5}\)[ ]?)?\d{1,14}|[ ]?\(\d{1,5}\)[ ]?\d{1,14}){0,6}(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,6})?(?![\w@]|[.-]\d)/g;
const EXTENSION_RE = /[ ]?(?:x|ext\.?|#)[ ]?\d{1,6}$/;

/** Phone cues in a few languages; CJK words have no word boundaries, so they stand alone. */
const PHONE_CONTEXT =
  /\b(?:phone|tel|telephone|mobile|cell|call|fax|whatsapp|sms|contact|dial|ring|reach|t[ée]l[ée]phone|telefon|tel[ée]fono|telefone|telepono|handy|portable|celular|m[óo]vil)\b|电话|手机|電話|携帯|전화/i;

/** Labels written after a number in signatures and contact lists: "555 0100 (office)". */
const PHONE_CONTEXT_AFTER = /^[ ,;:-]{0,3}\(?(?:office|mobile|fax|cell|home|work|tel|phone)\b/i;

/** Regions tried for national numbers that start with a trunk `0`. */
const TRUNK_REGIONS: readonly CountryCode[] = [
  'GB',
  'DE',
  'FR',
  'IN',
  'JP',
  'BR',
  'AU',
  'IT',
  'NL',
  'TR',
  'PH',
  'KR',
  'CN',
];
/** Regions whose national numbers have no trunk prefix (mobiles in CN/IN, all of ES/MX). */
const NO_TRUNK_REGIONS: readonly CountryCode[] = ['CN', 'IN', 'ES', 'MX', 'IT'];
/** NANP shape (area and exchange codes start 2-9): checked before the costly library call. */
const NANP_RE = /^(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\)|[2-9]\d{2})[ .-]?[2-9]\d{2}[ .-]?\d{4}$/;

/** 3-2-4 grouping is the SSN's shape, not a dialling plan's. */
const SSN_SHAPE_RE = /^\d{3}([ .-])\d{2}\1\d{4}$/;
/** Shapes that are dates or IPv4 addresses, not phone numbers. */
const NOT_PHONE_RE =
  /^(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})$/;

function validIn(candidate: string, region: CountryCode): boolean {
  return parsePhoneNumberFromString(candidate, region)?.isValid() === true;
}

/**
 * Confidence that `raw` (no extension) is a phone number, 0 if not. This is where the time goes
 * (a libphonenumber parse costs tens of microseconds), hence the cheap shape checks first and
 * the bounded memo below.
 */
function classify(raw: string, digits: string, formatted: boolean, context: boolean): number {
  if (raw.startsWith('+')) {
    // An explicit international prefix is strong evidence by itself: a number outside the
    // allocated ranges (a fictional one, a new range) but of possible length still counts.
    const parsed = parsePhoneNumberFromString(raw);
    if (parsed?.isValid() === true) return 0.9;
    return parsed?.isPossible() === true ? 0.7 : 0;
  }
  // After a cue ("Phone:", "call me on"), a grouped or 10+ digit number is taken as a phone
  // number without asking which country's plan it fits: cheap, and robust to plans we'd miss.
  if (context && (formatted || digits.length >= 10)) return 0.75;
  // An unformatted run of digits without a cue is as likely an id as a phone number.
  if (!formatted && !(raw.startsWith('0') && digits.length >= 10)) return 0;
  if (NANP_RE.test(raw) && validIn(raw, 'US')) return formatted ? 0.8 : 0.55;
  const regions = raw.startsWith('0') ? TRUNK_REGIONS : NO_TRUNK_REGIONS;
  if (regions.some((r) => validIn(raw, r))) return formatted ? 0.7 : 0.5;
  // "91-415-555-0132": a country code written without the plus.
  return parsePhoneNumberFromString(`+${digits}`)?.isValid() === true ? 0.55 : 0;
}

const MEMO_LIMIT = 2048;
const memo = new Map<string, number>();

function classifyMemo(raw: string, digits: string, formatted: boolean, context: boolean): number {
  const key = context ? `c${raw}` : raw;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const confidence = classify(raw, digits, formatted, context);
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
  memo.set(key, confidence);
  return confidence;
}

/**
 * Emit `PHONE` entities; confidence depends on how explicit the format is. Candidates inside a
 * `claimed` span (a validated card, IBAN, IP, SSN found earlier) are not parsed at all.
 */
export function detectPhones(text: string, emit: Emit, claimed: readonly Span[] = []): void {
  // Coverage map of claimed spans: one pass over them, then O(length) per candidate, instead of
  // comparing every candidate with every claimed span (quadratic on entity-dense inputs).
  let covered: Uint8Array | null = null;
  if (claimed.length > 0) {
    covered = new Uint8Array(text.length);
    for (const c of claimed) covered.fill(1, c.start, c.end);
  }
  CANDIDATE_RE.lastIndex = 0;
  for (let m = CANDIDATE_RE.exec(text); m !== null; m = CANDIDATE_RE.exec(text)) {
    const full = m[0].trimEnd();
    const start = m.index;
    const end = start + full.length;
    if (covered !== null && covered.subarray(start, end).every((v) => v === 1)) continue;
    const raw = full.replace(EXTENSION_RE, '');
    const digits = raw.replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15 || NOT_PHONE_RE.test(raw) || SSN_SHAPE_RE.test(raw))
      continue;
    const formatted = /[ .()-]/.test(raw);
    const context =
      hasContextBefore(text, start, PHONE_CONTEXT) ||
      PHONE_CONTEXT_AFTER.test(text.slice(end, end + 16));
    const groups = raw.split(/[ .()/-]+/).filter((g) => g !== '').length;
    // "675 62314" or "75534-030" (house numbers, postcodes): short two-part numbers need a cue.
    if (!raw.startsWith('+') && !context && digits.length < 10 && groups < 3) continue;
    const confidence = classifyMemo(raw, digits, formatted, context);
    if (confidence > 0)
      emit('PHONE', start, end, context ? Math.min(0.95, confidence + 0.1) : confidence);
  }
}
