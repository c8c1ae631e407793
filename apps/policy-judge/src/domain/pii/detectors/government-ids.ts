/**
 * Government identifiers. Structured ones are validated (SSN area/group/serial rules, ITIN
 * group ranges, NHS mod 11, NINO prefix rules, check letters of national IDs); formats with no
 * check digit (passports, most driver's licences) are only emitted after a context keyword,
 * because bare they are indistinguishable from any other number.
 */
import {
  itinValid,
  nhsValid,
  spanishControlLetter,
  ssnValid,
  verhoeffValid,
} from '../checksums.js';
import { hasContextBefore, type Emit } from './scan-context.js';

/** 3-2-4 digits with one consistent separator (dash, space, dot) or none. */
const SSN_RE = /(?<![\w.,-])(\d{3})([- .]?)(\d{2})\2(\d{4})(?![\w-]|[.,]\d)/g;
const SSN_CONTEXT = /\b(?:ssn|ssns|social security|soc\.? ?sec|itin|taxpayer|tax id|tin)\b/i;
const NINO_RE =
  /(?<![\w])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?![\w])/gi;
const NINO_BAD_PREFIX = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);
const NHS_RE = /(?<![\w.,-])(\d{3})([- ]?)(\d{3})\2(\d{4})(?![\w-]|[.,]\d)/g;
const NHS_CONTEXT = /\bnhs\b/i;
const PASSPORT_RE = /(?<![\w])[A-Z]{0,2}\d{6,9}(?![\w])/gi;
const PASSPORT_CONTEXT = /\bpass(?:port|eport|aporte|ot)\b/i;
const LICENSE_RE = /(?<![\w])(?:[A-Z]{1,2}[- ]?\d{4,14}|\d{5,14})(?![\w])/gi;
const LICENSE_CONTEXT = /\b(?:driver'?s?|driving|dl)\b|\blicen[cs]e\b/i;
/** UK driving licence: surname(5) + encoded DOB(6) + initials(2) + digit + 2 check letters. */
const UK_DL_RE =
  /(?<![\w])[A-Z9]{5}\d(?:[05][1-9]|[16][0-2])(?:0[1-9]|[12]\d|3[01])\d[A-Z9]{2}\d[A-Z]{2}(?![\w])/g;
const ES_NIF_RE = /(?<![\w])(?:([XYZ])-?(\d{7})|(\d{8}))-?([A-Z])(?![\w])/g;
const SG_NRIC_RE = /(?<![\w])([STFGM])(\d{7})([A-Z])(?![\w])/g;
const IN_PAN_RE = /(?<![\w])[A-Z]{3}[PCHFATBLJG][A-Z]\d{4}[A-Z](?![\w])/g;
const AADHAAR_RE = /(?<![\w.,-])[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?![\w-]|[.,]\d)/g;
const AADHAAR_CONTEXT = /\b(?:aadhaar|aadhar|uidai|uid)\b/i;
const FI_HETU_RE = /(?<![\w])(\d{6})([-+A-FU-Y])(\d{3})([0-9A-FHJ-NPR-Y])(?![\w])/g;
const TR_TCKN_RE = /(?<![\w.,-])[1-9]\d{10}(?![\w-]|[.,]\d)/g;

/** Emit `US_SSN` and `US_ITIN`. */
export function detectSsnItin(text: string, emit: Emit): void {
  SSN_RE.lastIndex = 0;
  for (let m = SSN_RE.exec(text); m !== null; m = SSN_RE.exec(text)) {
    const [, area = '', sep = '', group = '', serial = ''] = m;
    const context = hasContextBefore(text, m.index, SSN_CONTEXT);
    // Nine bare digits are as likely an order id or ZIP+4 as an SSN: only with context.
    if (sep === '' && !context) continue;
    const base = sep === '-' ? 0.85 : sep === '' ? 0.5 : 0.7;
    const confidence = context ? Math.min(0.95, base + 0.15) : base;
    const end = m.index + m[0].length;
    if (itinValid(area, group) && serial !== '0000') emit('US_ITIN', m.index, end, confidence);
    else if (ssnValid(area, group, serial)) emit('US_SSN', m.index, end, confidence);
  }
}

/** Emit `UK_NINO` (prefix and suffix rules) and `UK_NHS` (mod 11; bare ten digits need context). */
export function detectUkIds(text: string, emit: Emit): void {
  NINO_RE.lastIndex = 0;
  for (let m = NINO_RE.exec(text); m !== null; m = NINO_RE.exec(text)) {
    if (!NINO_BAD_PREFIX.has((m[1] ?? '').toUpperCase()))
      emit('UK_NINO', m.index, m.index + m[0].length, 0.85);
  }
  NHS_RE.lastIndex = 0;
  for (let m = NHS_RE.exec(text); m !== null; m = NHS_RE.exec(text)) {
    if (!nhsValid(`${m[1]}${m[3]}${m[4]}`)) continue;
    const context = hasContextBefore(text, m.index, NHS_CONTEXT);
    emit('UK_NHS', m.index, m.index + m[0].length, context ? 0.9 : m[2] === '' ? 0.45 : 0.65);
  }
  UK_DL_RE.lastIndex = 0;
  for (let m = UK_DL_RE.exec(text); m !== null; m = UK_DL_RE.exec(text)) {
    emit('DRIVER_LICENSE', m.index, m.index + m[0].length, 0.85);
  }
}

/** Emit `PASSPORT` and `DRIVER_LICENSE` numbers that follow a context keyword. */
export function detectContextualIds(text: string, emit: Emit): void {
  PASSPORT_RE.lastIndex = 0;
  for (let m = PASSPORT_RE.exec(text); m !== null; m = PASSPORT_RE.exec(text)) {
    if (hasContextBefore(text, m.index, PASSPORT_CONTEXT))
      emit('PASSPORT', m.index, m.index + m[0].length, 0.8);
  }
  LICENSE_RE.lastIndex = 0;
  for (let m = LICENSE_RE.exec(text); m !== null; m = LICENSE_RE.exec(text)) {
    if (/\d{4}/.test(m[0]) && hasContextBefore(text, m.index, LICENSE_CONTEXT, 40)) {
      emit('DRIVER_LICENSE', m.index, m.index + m[0].length, 0.75);
    }
  }
}

function sgNricValid(prefix: string, digits: string, check: string): boolean {
  const weights = [2, 7, 6, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += (digits.charCodeAt(i) - 48) * (weights[i] ?? 0);
  if (prefix === 'T' || prefix === 'G') sum += 4;
  if (prefix === 'M') sum += 3;
  const table =
    prefix === 'S' || prefix === 'T'
      ? 'JZIHGFEDCBA'
      : prefix === 'M'
        ? 'KLJNPQRTUWX'
        : 'XWUTRQPNMLK';
  return table[sum % 11] === check;
}

function tcknValid(d: string): boolean {
  const n = [...d].map((c) => c.charCodeAt(0) - 48);
  const odd = (n[0] ?? 0) + (n[2] ?? 0) + (n[4] ?? 0) + (n[6] ?? 0) + (n[8] ?? 0);
  const even = (n[1] ?? 0) + (n[3] ?? 0) + (n[5] ?? 0) + (n[7] ?? 0);
  if ((((odd * 7 - even) % 10) + 10) % 10 !== n[9]) return false;
  return n.slice(0, 10).reduce((a, b) => a + b, 0) % 10 === n[10];
}

/**
 * Emit `NATIONAL_ID` for national identity numbers with a check character: Spanish DNI/NIE,
 * Singapore NRIC/FIN, Indian PAN (structure only) and Aadhaar (Verhoeff), Finnish HETU
 * (mod 31), Turkish TCKN (two check digits).
 */
export function detectNationalIds(text: string, emit: Emit): void {
  ES_NIF_RE.lastIndex = 0;
  for (let m = ES_NIF_RE.exec(text); m !== null; m = ES_NIF_RE.exec(text)) {
    const body = m[3] ?? `${'XYZ'.indexOf(m[1] ?? 'X')}${m[2] ?? ''}`;
    if (spanishControlLetter(body) === m[4])
      emit('NATIONAL_ID', m.index, m.index + m[0].length, 0.9);
  }
  SG_NRIC_RE.lastIndex = 0;
  for (let m = SG_NRIC_RE.exec(text); m !== null; m = SG_NRIC_RE.exec(text)) {
    if (sgNricValid(m[1] ?? '', m[2] ?? '', m[3] ?? ''))
      emit('NATIONAL_ID', m.index, m.index + m[0].length, 0.9);
  }
  IN_PAN_RE.lastIndex = 0;
  for (let m = IN_PAN_RE.exec(text); m !== null; m = IN_PAN_RE.exec(text)) {
    emit('NATIONAL_ID', m.index, m.index + m[0].length, 0.8);
  }
  AADHAAR_RE.lastIndex = 0;
  for (let m = AADHAAR_RE.exec(text); m !== null; m = AADHAAR_RE.exec(text)) {
    const digits = m[0].replace(/\D/g, '');
    if (!verhoeffValid(digits)) continue;
    const context = hasContextBefore(text, m.index, AADHAAR_CONTEXT);
    emit('NATIONAL_ID', m.index, m.index + m[0].length, context ? 0.9 : m[1] ? 0.6 : 0.4);
  }
  FI_HETU_RE.lastIndex = 0;
  for (let m = FI_HETU_RE.exec(text); m !== null; m = FI_HETU_RE.exec(text)) {
    const date = m[1] ?? '';
    const dd = Number(date.slice(0, 2));
    const mm = Number(date.slice(2, 4));
    if (dd < 1 || dd > 31 || mm < 1 || mm > 12) continue;
    if ('0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(`${date}${m[3]}`) % 31] === m[4]) {
      emit('NATIONAL_ID', m.index, m.index + m[0].length, 0.9);
    }
  }
  TR_TCKN_RE.lastIndex = 0;
  for (let m = TR_TCKN_RE.exec(text); m !== null; m = TR_TCKN_RE.exec(text)) {
    if (tcknValid(m[0])) emit('NATIONAL_ID', m.index, m.index + m[0].length, 0.55);
  }
}
