/**
 * Phone numbers in national and international formats. A bounded regex finds digit groups that
 * look like a dialled number; `libphonenumber-js` (max metadata, Google's numbering plans)
 * decides validity, so we never maintain per-country rules ourselves.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
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

/** Regions tried for numbers written without a country code, after the US. */
const FALLBACK_REGIONS: readonly CountryCode[] = ['GB', 'DE', 'FR', 'IN', 'JP', 'CN', 'BR', 'AU', 'ES', 'IT', 'NL', 'MX', 'TR', 'PH', 'KR'];

/** Shapes that are dates, versions or IPs, not phone numbers. */
/** 3-2-4 grouping is the SSN's shape, not a dialling plan's. */
const SSN_SHAPE_RE = /^\d{3}([ .-])\d{2}\1\d{4}$/;
const NOT_PHONE_RE = /^(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})$/;

function validIn(candidate: string, region: CountryCode): boolean {
  return parsePhoneNumberFromString(candidate, region)?.isValid() === true;
}

/** Emit `PHONE` entities; confidence depends on how explicit the format is. */
export function detectPhones(text: string, emit: Emit): void {
  CANDIDATE_RE.lastIndex = 0;
  for (let m = CANDIDATE_RE.exec(text); m !== null; m = CANDIDATE_RE.exec(text)) {
    const full = m[0].trimEnd();
    const start = m.index;
    const end = start + full.length;
    const raw = full.replace(EXTENSION_RE, '');
    const digits = raw.replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15 || NOT_PHONE_RE.test(raw) || SSN_SHAPE_RE.test(raw)) continue;
    const formatted = /[ .()-]/.test(raw);
    const context = hasContextBefore(text, start, PHONE_CONTEXT);
    const groups = raw.split(/[ .()/-]+/).filter((g) => g !== '').length;
    // "675 62314" or "75534-030" (house numbers, postcodes): short two-part numbers need a cue.
    if (!raw.startsWith('+') && !context && digits.length < 10 && groups < 3) continue;
    let confidence = 0;
    if (raw.startsWith('+')) {
      // An explicit international prefix is strong evidence by itself: a number outside the
      // allocated ranges (a fictional one, a new range) but of possible length still counts.
      const parsed = parsePhoneNumberFromString(raw);
      if (parsed?.isValid() === true) confidence = 0.9;
      else if (parsed?.isPossible() === true) confidence = 0.7;
    } else if ((formatted || context) && validIn(raw, 'US')) {
      // An unformatted ten-digit run without a cue is as likely an id as a phone number.
      confidence = formatted ? 0.8 : 0.55;
    } else if (formatted || context || (raw.startsWith('0') && digits.length >= 10)) {
      if (FALLBACK_REGIONS.some((r) => validIn(raw, r))) confidence = formatted ? 0.7 : 0.5;
      else if (parsePhoneNumberFromString(`+${digits}`)?.isValid() === true) confidence = 0.55;
    }
    if (confidence > 0) emit('PHONE', start, end, context ? Math.min(0.95, confidence + 0.1) : confidence);
  }
}
