/**
 * Phone numbers in national and international formats. A bounded regex finds digit groups that
 * look like a dialled number; `libphonenumber-js` (max metadata, Google's numbering plans)
 * decides validity, so we never maintain per-country rules ourselves.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { hasContextBefore, type Emit } from './scan-context.js';

/**
 * Optional `+`/`00` prefix, optional `(area)`, then digit groups joined by one or two separators.
 * No group is ambiguous with its neighbour (separators are mandatory), so matching is linear.
 */
const CANDIDATE_RE =
  /(?<![\w.+/-])(?:\+[ ]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,6}(?:(?:[ .-]|[ ]?-[ ]?)\(?\d{1,6}\)?){0,6}(?![\w@]|[.-]\d)/g;

const PHONE_CONTEXT = /\b(?:phone|tel|telephone|mobile|cell|call|fax|whatsapp|sms|contact|dial|ring|reach|phone number)\b/i;

/** Regions tried for numbers written without a country code, after the US. */
const FALLBACK_REGIONS: readonly CountryCode[] = ['GB', 'DE', 'FR', 'IN', 'JP', 'CN', 'BR', 'AU', 'ES', 'IT', 'NL', 'MX', 'TR', 'PH', 'KR'];

/** Shapes that are dates, versions or IPs, not phone numbers. */
const NOT_PHONE_RE = /^(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,3}(?:\.\d{1,3}){3}|\d{4})$/;

function validIn(candidate: string, region: CountryCode): boolean {
  return parsePhoneNumberFromString(candidate, region)?.isValid() === true;
}

/** Emit `PHONE` entities; confidence depends on how explicit the format is. */
export function detectPhones(text: string, emit: Emit): void {
  CANDIDATE_RE.lastIndex = 0;
  for (let m = CANDIDATE_RE.exec(text); m !== null; m = CANDIDATE_RE.exec(text)) {
    const raw = m[0].trimEnd();
    const start = m.index;
    const end = start + raw.length;
    const digits = raw.replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15 || NOT_PHONE_RE.test(raw)) continue;
    const formatted = /[ .()-]/.test(raw);
    const context = hasContextBefore(text, start, PHONE_CONTEXT);
    let confidence = 0;
    if (raw.startsWith('+')) {
      if (parsePhoneNumberFromString(raw)?.isValid() === true) confidence = 0.9;
    } else if (validIn(raw, 'US')) {
      confidence = formatted ? 0.8 : 0.55;
    } else if (formatted || context) {
      if (FALLBACK_REGIONS.some((r) => validIn(raw, r))) confidence = formatted ? 0.7 : 0.5;
      else if (parsePhoneNumberFromString(`+${digits}`)?.isValid() === true) confidence = 0.55;
    }
    if (confidence > 0) emit('PHONE', start, end, context ? Math.min(0.95, confidence + 0.1) : confidence);
  }
}
