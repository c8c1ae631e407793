/**
 * `NATIONAL_ID`: national identity and tax numbers that carry a check digit or letter, so a
 * random look-alike fails. Numbers whose format is also common for other data (bare digit runs)
 * need a context keyword or get a low confidence.
 */
import { luhnValid, spanishControlLetter, verhoeffValid } from '../checksums.js';
import { hasContextBefore, type Emit } from './scan-context.js';

const ES_NIF_RE = /(?<![\w])(?:([XYZ])-?(\d{7})|(\d{8}))-?([A-Z])(?![\w])/g;
const SG_NRIC_RE = /(?<![\w])([STFGM])(\d{7})([A-Z])(?![\w])/g;
const IN_PAN_RE = /(?<![\w])[A-Z]{3}[PCHFATBLJG][A-Z]\d{4}[A-Z](?![\w])/g;
const AADHAAR_RE = /(?<![\w.,-])[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?![\w-]|[.,]\d)/g;
const AADHAAR_CONTEXT = /\b(?:aadhaar|aadhar|uidai|uid)\b/i;
const FI_HETU_RE = /(?<![\w])(\d{6})([-+A-FU-Y])(\d{3})([0-9A-FHJ-NPR-Y])(?![\w])/g;
const ELEVEN_DIGITS_RE = /(?<![\w.,-])\d{11}(?![\w-]|[.,]\d)/g;
const PESEL_CONTEXT = /\bpesel\b/i;
const CA_SIN_RE = /(?<![\w.,-])\d{3}([ -]?)\d{3}\1\d{3}(?![\w-]|[.,]\d)/g;
const CA_SIN_CONTEXT = /\b(?:sin|social insurance|nas|assurance sociale)\b/i;
/** YYMMDD-NNNN / YYMMDD+NNNN, or the 12-digit YYYYMMDDNNNN form. */
const SE_PNR_RE =
  /(?<![\w.,-])(?:19|20)?(\d{6})([-+])(\d{4})(?![\w-]|[.,]\d)|(?<![\w.,-])(?:19|20)(\d{6})(\d{4})(?![\w-]|[.,]\d)/g;
const ZA_ID_RE = /(?<![\w.,-])\d{13}(?![\w-]|[.,]\d)/g;
const IT_CF_RE =
  /(?<![\w])[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z](?![\w])/g;
const KR_RRN_RE = /(?<![\w.,-])(\d{6})-?([1-8]\d{6})(?![\w-]|[.,]\d)/g;
const AU_TFN_RE = /(?<![\w.,-])\d{3}[ ]?\d{3}[ ]?\d{3}(?![\w-]|[.,]\d)/g;
const AU_TFN_CONTEXT = /\b(?:tfn|tax file)\b/i;
const AU_ABN_RE = /(?<![\w.,-])\d{2}[ ]?\d{3}[ ]?\d{3}[ ]?\d{3}(?![\w-]|[.,]\d)/g;
const AU_ABN_CONTEXT = /\babn\b|australian business/i;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Month 1-12 and a day that exists in that month (29 February always allowed). */
function validDate(mm: number, dd: number): boolean {
  return mm >= 1 && mm <= 12 && dd >= 1 && dd <= (DAYS_IN_MONTH[mm - 1] ?? 0);
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

const num = (s: string): number[] => [...s].map((c) => c.charCodeAt(0) - 48);

function tcknValid(d: string): boolean {
  const n = num(d);
  if (n[0] === 0) return false;
  const odd = (n[0] ?? 0) + (n[2] ?? 0) + (n[4] ?? 0) + (n[6] ?? 0) + (n[8] ?? 0);
  const even = (n[1] ?? 0) + (n[3] ?? 0) + (n[5] ?? 0) + (n[7] ?? 0);
  if ((((odd * 7 - even) % 10) + 10) % 10 !== n[9]) return false;
  return n.slice(0, 10).reduce((a, b) => a + b, 0) % 10 === n[10];
}

/** Polish PESEL: weights 1-3-7-9, and a valid birth date (month carries the century). */
function peselValid(d: string): boolean {
  const n = num(d);
  const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
  const sum = w.reduce((acc, wi, i) => acc + wi * (n[i] ?? 0), 0);
  if ((10 - (sum % 10)) % 10 !== n[10]) return false;
  const month = Number(d.slice(2, 4)) % 20;
  return validDate(month, Number(d.slice(4, 6)));
}

/** Korean RRN: weights 2..9,2..5 mod 11 and a valid birth date. */
function rrnValid(date: string, rest: string): boolean {
  const n = num(date + rest);
  const w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
  const sum = w.reduce((acc, wi, i) => acc + wi * (n[i] ?? 0), 0);
  if ((11 - (sum % 11)) % 10 !== n[12]) return false;
  return validDate(Number(date.slice(2, 4)), Number(date.slice(4, 6)));
}

/** Italian codice fiscale check letter (odd/even position tables). */
function itFiscalCodeValid(code: string): boolean {
  const odd = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
  ];
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = code.charCodeAt(i);
    const v = c <= 57 ? c - 48 : c - 65; // digits and letters share the 0-9 / A-J values
    sum += i % 2 === 0 ? (odd[v] ?? 0) : v;
  }
  return String.fromCharCode(65 + (sum % 26)) === code[15];
}

function auTfnValid(d: string): boolean {
  const w = [1, 4, 3, 7, 5, 8, 6, 9, 10];
  return num(d).reduce((acc, v, i) => acc + v * (w[i] ?? 0), 0) % 11 === 0;
}

function auAbnValid(d: string): boolean {
  const n = num(d);
  n[0] = (n[0] ?? 0) - 1;
  const w = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
  return n.reduce((acc, v, i) => acc + v * (w[i] ?? 0), 0) % 89 === 0;
}

type Scan = (text: string, emit: Emit) => void;

/**
 * A scan and the longest run of consecutive ASCII digits every match of its pattern contains
 * (`\d` without the `u` flag is [0-9]): a text without such a run is not scanned, which finds
 * nothing less. Most texts that reach here have a year or a price, not a 7-digit number.
 */
interface RunScan {
  minRun: number;
  scan: Scan;
}

function scan(re: RegExp, text: string, emit: Emit, each: (m: RegExpExecArray) => number): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const confidence = each(m);
    if (confidence > 0) emit('NATIONAL_ID', m.index, m.index + m[0].length, confidence);
  }
}

/** One scanner per identifier; each returns the confidence for a match (0 = reject). */
const SCANS: readonly RunScan[] = [
  {
    minRun: 7,
    scan: (t, e) =>
      scan(ES_NIF_RE, t, e, (m) => {
        const body = m[3] ?? `${'XYZ'.indexOf(m[1] ?? 'X')}${m[2] ?? ''}`;
        return spanishControlLetter(body) === m[4] ? 0.9 : 0;
      }),
  },
  {
    minRun: 7,
    scan: (t, e) =>
      scan(SG_NRIC_RE, t, e, (m) => (sgNricValid(m[1] ?? '', m[2] ?? '', m[3] ?? '') ? 0.9 : 0)),
  },
  { minRun: 4, scan: (t, e) => scan(IN_PAN_RE, t, e, () => 0.8) },
  {
    minRun: 4,
    scan: (t, e) =>
      scan(AADHAAR_RE, t, e, (m) => {
        if (!verhoeffValid(m[0].replace(/\D/g, ''))) return 0;
        return hasContextBefore(t, m.index, AADHAAR_CONTEXT) ? 0.9 : m[1] ? 0.6 : 0.4;
      }),
  },
  {
    minRun: 6,
    scan: (t, e) =>
      scan(FI_HETU_RE, t, e, (m) => {
        const date = m[1] ?? '';
        if (!validDate(Number(date.slice(2, 4)), Number(date.slice(0, 2)))) return 0;
        const check = '0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(`${date}${m[3]}`) % 31];
        return check === m[4] ? 0.9 : 0;
      }),
  },
  // Eleven digits: Turkish TCKN or Polish PESEL (a keyword lifts PESEL's confidence).
  {
    minRun: 11,
    scan: (t, e) =>
      scan(ELEVEN_DIGITS_RE, t, e, (m) => {
        if (tcknValid(m[0])) return 0.55;
        if (peselValid(m[0])) return hasContextBefore(t, m.index, PESEL_CONTEXT) ? 0.9 : 0.45;
        return 0;
      }),
  },
  {
    minRun: 3,
    scan: (t, e) =>
      scan(CA_SIN_RE, t, e, (m) => {
        const d = m[0].replace(/\D/g, '');
        if (d[0] === '0' || d[0] === '8' || !luhnValid(d)) return 0;
        return hasContextBefore(t, m.index, CA_SIN_CONTEXT) ? 0.85 : 0;
      }),
  },
  {
    minRun: 6,
    scan: (t, e) =>
      scan(SE_PNR_RE, t, e, (m) => {
        const date = m[1] ?? m[4] ?? '';
        const serial = m[3] ?? m[5] ?? '';
        // Day + 60 marks a coordination number (samordningsnummer).
        if (!validDate(Number(date.slice(2, 4)), Number(date.slice(4, 6)) % 60)) return 0;
        return luhnValid(date + serial) ? (m[2] !== undefined ? 0.8 : 0.65) : 0;
      }),
  },
  {
    minRun: 13,
    scan: (t, e) =>
      scan(ZA_ID_RE, t, e, (m) => {
        const d = m[0];
        const ok =
          validDate(Number(d.slice(2, 4)), Number(d.slice(4, 6))) && /[012]/.test(d.charAt(10));
        return ok && luhnValid(d) ? 0.6 : 0;
      }),
  },
  { minRun: 0, scan: (t, e) => scan(IT_CF_RE, t, e, (m) => (itFiscalCodeValid(m[0]) ? 0.9 : 0)) },
  {
    minRun: 6,
    scan: (t, e) =>
      // RRNs issued since October 2020 no longer end in a check digit, so a dashed number with a
      // valid birth date and gender digit counts even when the old checksum fails.
      scan(KR_RRN_RE, t, e, (m) => {
        const date = m[1] ?? '';
        if (!validDate(Number(date.slice(2, 4)), Number(date.slice(4, 6)))) return 0;
        if (rrnValid(date, m[2] ?? '')) return m[0].includes('-') ? 0.85 : 0.5;
        return m[0].includes('-') ? 0.6 : 0;
      }),
  },
  {
    minRun: 3,
    scan: (t, e) =>
      scan(AU_TFN_RE, t, e, (m) => {
        const d = m[0].replace(/\D/g, '');
        return auTfnValid(d) && hasContextBefore(t, m.index, AU_TFN_CONTEXT) ? 0.85 : 0;
      }),
  },
  {
    minRun: 3,
    scan: (t, e) =>
      scan(AU_ABN_RE, t, e, (m) => {
        const d = m[0].replace(/\D/g, '');
        if (!auAbnValid(d)) return 0;
        return hasContextBefore(t, m.index, AU_ABN_CONTEXT) ? 0.85 : m[0].includes(' ') ? 0.75 : 0;
      }),
  },
];

/**
 * Emit `NATIONAL_ID` for: Spanish DNI/NIE (mod 23 letter), Singapore NRIC/FIN, Indian PAN
 * (structure) and Aadhaar (Verhoeff), Finnish HETU (mod 31), Turkish TCKN and Polish PESEL
 * (check digits), Canadian SIN (Luhn, after a SIN cue), Swedish personnummer (Luhn + date),
 * South-African ID (Luhn + date), Italian codice fiscale (check letter), Korean RRN (mod 11),
 * Australian TFN (after a cue) and ABN (mod 89).
 */
export function detectNationalIds(text: string, emit: Emit): void {
  const run = longestDigitRun(text, 13);
  for (const s of SCANS) if (run >= s.minRun) s.scan(text, emit);
}

/** The longest run of consecutive ASCII digits in `text`, counted up to `enough`. */
function longestDigitRun(text: string, enough: number): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) run = 0;
    else if (++run > longest && (longest = run) >= enough) break;
  }
  return longest;
}
