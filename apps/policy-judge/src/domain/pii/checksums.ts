/**
 * Check-digit algorithms for structured identifiers. Hand-written: each is a few lines, sits on
 * the hot path, and no maintained package bundles this set (IBAN uses `ibantools` instead).
 * All functions take a string of ASCII digits unless stated otherwise.
 */
import { createHash } from 'node:crypto';

/** Luhn (mod 10) check: credit cards, Canadian SIN, Swedish personnummer, ZA ID. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ABA routing number: weights 3-7-1 mod 10, and a Federal Reserve prefix (00-12, 21-32, 61-72, 80). */
export function abaValid(digits: string): boolean {
  if (digits.length !== 9) return false;
  const prefix = Number(digits.slice(0, 2));
  const prefixOk =
    prefix <= 12 ||
    (prefix >= 21 && prefix <= 32) ||
    (prefix >= 61 && prefix <= 72) ||
    prefix === 80;
  if (!prefixOk) return false;
  const w = [3, 7, 1];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (w[i % 3] ?? 0);
  return sum % 10 === 0;
}

/** US SSN structure: area not 000/666/9xx, group not 00, serial not 0000, not a famous sample. */
export function ssnValid(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (group === '00' || serial === '0000') return false;
  const all = area + group + serial;
  // Numbers published in advertising (Woolworth wallet card) and SSA examples; never real.
  if (all === '078051120' || all === '219099999' || all === '123456789') return false;
  return !/^(\d)\1{8}$/.test(all);
}

/** US ITIN structure: 9xx-[50-65 | 70-88 | 90-92 | 94-99]-xxxx. */
export function itinValid(area: string, group: string): boolean {
  if (area[0] !== '9') return false;
  const g = Number(group);
  return (
    (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || (g >= 94 && g <= 99)
  );
}

/** UK NHS number: mod 11 with weights 10..2; check digit 10 is invalid. */
export function nhsValid(digits: string): boolean {
  if (digits.length !== 10) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  const check = 11 - (sum % 11);
  const expected = check === 11 ? 0 : check;
  return expected !== 10 && expected === digits.charCodeAt(9) - 48;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Base58Check (Bitcoin legacy / P2SH addresses): 4-byte double-SHA-256 checksum. */
export function base58CheckValid(s: string): boolean {
  let n = 0n;
  for (const ch of s) {
    const v = BASE58.indexOf(ch);
    if (v < 0) return false;
    n = n * 58n + BigInt(v);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  for (let i = 0; i < s.length && s[i] === '1'; i++) bytes.unshift(0);
  if (bytes.length !== 25) return false;
  const payload = Uint8Array.from(bytes.slice(0, 21));
  const first = createHash('sha256').update(payload).digest();
  const second = createHash('sha256').update(first).digest();
  for (let i = 0; i < 4; i++) if (second[i] !== bytes[21 + i]) return false;
  return true;
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function bech32Polymod(values: number[]): number {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= gen[i] ?? 0;
  }
  return chk >>> 0;
}

/** BIP-173 / BIP-350 segwit address (`bc1…`): bech32 or bech32m checksum, lower or upper case only. */
export function bech32Valid(address: string): boolean {
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) return false;
  const s = address.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 1 || sep + 7 > s.length) return false;
  const hrp = s.slice(0, sep);
  const data: number[] = [];
  for (const ch of s.slice(sep + 1)) {
    const v = BECH32.indexOf(ch);
    if (v < 0) return false;
    data.push(v);
  }
  const expanded: number[] = [];
  for (const ch of hrp) expanded.push(ch.charCodeAt(0) >> 5);
  expanded.push(0);
  for (const ch of hrp) expanded.push(ch.charCodeAt(0) & 31);
  const pm = bech32Polymod([...expanded, ...data]);
  return pm === 1 || pm === 0x2bc830a3;
}

/** Spanish DNI/NIF and NIE control letter (mod 23). `body` is 8 digits after NIE prefix mapping. */
export function spanishControlLetter(body: string): string {
  return 'TRWAGMYFPDXBNJZSQVHLCKE'[Number(body) % 23] ?? '';
}

/** Verhoeff check (Indian Aadhaar). */
export function verhoeffValid(digits: string): boolean {
  const d = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
  ];
  const p = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
  ];
  let c = 0;
  const n = digits.length;
  for (let i = 0; i < n; i++) {
    const digit = digits.charCodeAt(n - 1 - i) - 48;
    c = d[c]?.[p[i % 8]?.[digit] ?? 0] ?? 0;
  }
  return c === 0;
}

/**
 * ISO 13616 mod-97 check over an IBAN in electronic format (A-Z, 0-9). A cheap pre-check: the
 * full validation (country length, BBAN structure) is left to ibantools, which costs more.
 */
export function ibanMod97Valid(iban: string): boolean {
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}
