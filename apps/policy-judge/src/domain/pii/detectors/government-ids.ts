/**
 * Government identifiers. Structured ones are validated (SSN area/group/serial rules, ITIN
 * group ranges, NHS mod 11, NINO prefix rules; other countries are in `national-ids.ts`); formats with no
 * check digit (passports, most driver's licences) are only emitted after a context keyword,
 * because bare they are indistinguishable from any other number.
 */
import { itinValid, nhsValid, ssnValid } from '../checksums.js';
import { asciiTable, hasRun } from '../../normalise/char-tables.js';
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
/** UK_DL_RE's leading `[A-Z9]{5}` (case-sensitive): prose rarely has five capitals in a row. */
const UK_DL_HEAD = asciiTable('ABCDEFGHIJKLMNOPQRSTUVWXYZ9');

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
  if (!hasRun(text, UK_DL_HEAD, 5)) return;
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
