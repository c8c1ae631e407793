/**
 * Dates. Every calendar date is a `DATE` (aggressive policy); a date shortly after a birth
 * keyword ("DOB", "born on", "date of birth", ...) is a `DATE_OF_BIRTH` (standard policy).
 */
import { hasContextBefore, type Emit } from './scan-context.js';

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const ORD = '(?:st|nd|rd|th)?';
/** ISO date or date-time with optional seconds, fraction and zone. */
const ISO =
  '\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?';
/** Numeric d/m/y or m/d/y with one consistent separator, or y/m/d. */
const NUMERIC =
  '\\d{1,2}(?<s1>[/.-])\\d{1,2}\\k<s1>(?:\\d{4}|\\d{2})|\\d{4}(?<s2>[/.])\\d{1,2}\\k<s2>\\d{1,2}';
/** Month name with day and/or year, in either order. */
const NAMED =
  `\\d{1,2}${ORD}[ -](?:of )?${MONTH}\\.?(?:,?[ -]\\d{4}|-\\d{2})?` +
  `|${MONTH}\\.?[ -]\\d{1,2}${ORD}(?:,? \\d{4})?(?!\\d)` +
  `|${MONTH}\\.?[ -]\\d{4}`;
/** Month and year, or month and day, numerically (05/2021, 5/21): weakest form. */
const SHORT = '\\d{1,2}/\\d{4}|\\d{1,2}/\\d{1,2}';

const DATE_RE = new RegExp(
  `(?<![\\w/.:-])(?:(${ISO})|(${NUMERIC})|(${NAMED})|(${SHORT}))(?![\\w/]|[.:-]\\d)`,
  'gi',
);
const DOB_PREFILTER = /born|birth|dob|d\.o\.b|geboren|né|nacimiento/i;
const DOB_CONTEXT =
  /\b(?:born|dob|d\.o\.b\.?|date of birth|birth ?date|birthday|geburtsdatum|geboren|né|née|fecha de nacimiento)\b/i;

/** Weekday names and bare years after a temporal preposition ("in 1977", "during 2008"). */
const WEEKDAY_RE = /(?<![\w])(?:mon|tues|wednes|thurs|fri|satur|sun)day(?![\w])/gi;
const YEAR_RE = /(?<![\w.,/-])(?:19|20)\d{2}(?![\w/-]|[.,:]\d)/g;
const YEAR_CONTEXT =
  /\b(?:in|of|during|since|from|until|till|by|before|after|circa|year|a|the|early|late|mid)\s{1,3}$/i;

function plausibleNumeric(s: string): boolean {
  const parts = s.split(/[/.-]/).map(Number);
  const [a = 0, b = 0, c = 0] = parts;
  if (
    parts.length === 3 &&
    String(parts[0]).length === 4 &&
    s.indexOf('-') === -1 &&
    s.length >= 8
  ) {
    return b >= 1 && b <= 12 && c >= 1 && c <= 31;
  }
  if (s.split(/[/.-]/)[0]?.length === 4) return b >= 1 && b <= 12 && c >= 1 && c <= 31;
  const monthDay = a >= 1 && a <= 12 && b >= 1 && b <= 31;
  const dayMonth = b >= 1 && b <= 12 && a >= 1 && a <= 31;
  return monthDay || dayMonth;
}

function plausibleShort(s: string): boolean {
  const [a = 0, b = 0] = s.split('/').map(Number);
  if (b >= 1900) return a >= 1 && a <= 12;
  return a >= 1 && a <= 12 && b >= 1 && b <= 31;
}

/**
 * Emit dates. With `onlyBirthDates` (standard policy) the scan is skipped unless the text holds
 * a birth keyword, and only `DATE_OF_BIRTH` is emitted.
 */
export function detectDates(text: string, emit: Emit, onlyBirthDates: boolean): void {
  const anyDob = DOB_PREFILTER.test(text);
  if (onlyBirthDates && !anyDob) return;
  DATE_RE.lastIndex = 0;
  for (let m = DATE_RE.exec(text); m !== null; m = DATE_RE.exec(text)) {
    const s = m[0];
    let confidence: number;
    if (m[1] !== undefined) {
      const month = Number(s.slice(5, 7));
      const day = Number(s.slice(8, 10));
      if (month < 1 || month > 12 || day < 1 || day > 31) continue;
      confidence = 0.9;
    } else if (m[2] !== undefined) {
      if (!plausibleNumeric(s)) continue;
      confidence = 0.75;
    } else if (m[5] !== undefined) {
      confidence = 0.75;
    } else {
      if (!plausibleShort(s)) continue;
      confidence = 0.4;
    }
    const end = m.index + s.length;
    if (anyDob && hasContextBefore(text, m.index, DOB_CONTEXT, 32))
      emit('DATE_OF_BIRTH', m.index, end, 0.9);
    else if (!onlyBirthDates) emit('DATE', m.index, end, confidence);
  }
  if (onlyBirthDates) return;
  WEEKDAY_RE.lastIndex = 0;
  for (let m = WEEKDAY_RE.exec(text); m !== null; m = WEEKDAY_RE.exec(text)) {
    emit('DATE', m.index, m.index + m[0].length, 0.5);
  }
  YEAR_RE.lastIndex = 0;
  for (let m = YEAR_RE.exec(text); m !== null; m = YEAR_RE.exec(text)) {
    if (hasContextBefore(text, m.index, YEAR_CONTEXT, 12)) emit('DATE', m.index, m.index + 4, 0.45);
  }
}
