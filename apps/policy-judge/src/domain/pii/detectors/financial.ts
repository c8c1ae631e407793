/**
 * Financial identifiers: payment cards (Luhn + issuer prefix), IBAN (`ibantools`: country
 * length, BBAN structure and mod-97 check digits), ABA routing numbers (3-7-1 checksum), bank
 * account numbers (only with context) and crypto wallet addresses (Base58Check / bech32).
 * Checksum-failing look-alikes are never emitted.
 */
import { isValidIBAN } from 'ibantools';
import {
  abaValid,
  base58CheckValid,
  bech32Valid,
  ibanMod97Valid,
  luhnValid,
} from '../checksums.js';
import { hasContextBefore, type Emit } from './scan-context.js';

/** 13-19 digits, optionally grouped by single spaces or dashes. */
const CARD_RE = /(?<![\w.,-])\d(?:[ -]?\d){11,18}(?![\w-]|[.,]\d)/g;
/** Major issuer prefixes: UATP 1, Amex/Diners/JCB 3, Visa 4, Mastercard/Maestro 2/5/6. */
const CARD_PREFIX_RE = /^(?:1\d{14}$|1800|2131|2[2-7]|3[0-9]|4|5[0-9]|6)/;
const CARD_CONTEXT = /\b(?:card|credit|debit|visa|mastercard|amex|cc|payment)\b/i;

const IBAN_PREFILTER = /[A-Za-z]{2}\d{2}/;
/** Country code, check digits, then 11-30 alphanumerics in optional groups. */
const IBAN_RE = /(?<![\w])[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}(?![\w])/gi;

const ABA_RE = /(?<![\w.,-])(?:\d{9}|\d{4}-\d{4}-\d)(?![\w-]|[.,]\d)/g;
const ABA_CONTEXT = /\b(?:routing|aba|rtn|transit|bank)\b/i;

const ACCOUNT_RE = /(?<![\w.,-])\d{8,17}(?![\w-]|[.,]\d)/g;
const ACCOUNT_CONTEXT = /\b(?:account|acct|a\/c|checking|savings)\b[^\n]{0,20}$/i;

const BTC_BASE58_RE = /(?<![\w])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![\w])/g;
const BTC_BECH32_RE = /(?<![\w])(?:bc1|tb1)[02-9ac-hj-np-z]{6,87}(?![\w])/gi;
const ETH_RE = /(?<![\w])0x[0-9a-fA-F]{40}(?![\w])/g;

/** Emit `CREDIT_CARD` for Luhn-valid numbers with a known issuer prefix. */
export function detectCards(text: string, emit: Emit): void {
  CARD_RE.lastIndex = 0;
  for (let m = CARD_RE.exec(text); m !== null; m = CARD_RE.exec(text)) {
    const raw = m[0];
    const seps = raw.replace(/\d/g, '');
    if (seps.length > 0 && !/^( +|-+)$/.test(seps)) continue; // mixed separators
    const digits = raw.replace(/\D/g, '');
    if (!CARD_PREFIX_RE.test(digits) || /^(\d)\1+$/.test(digits) || !luhnValid(digits)) continue;
    const grouped = seps.length > 0;
    const context = hasContextBefore(text, m.index, CARD_CONTEXT);
    // 12-digit Maestro numbers exist but so do many 12-digit ids: only after a card keyword.
    if (digits.length === 12 && !context) continue;
    emit('CREDIT_CARD', m.index, m.index + raw.length, context || grouped ? 0.95 : 0.85);
  }
}

/** Emit `IBAN` for strings that pass the full ibantools validation. */
export function detectIbans(text: string, emit: Emit): void {
  if (!IBAN_PREFILTER.test(text)) return;
  IBAN_RE.lastIndex = 0;
  for (let m = IBAN_RE.exec(text); m !== null; m = IBAN_RE.exec(text)) {
    // The grouped form can run into a following word ("... 8901 X"); drop trailing groups
    // until the rest validates.
    let candidate = m[0];
    for (let tries = 0; tries < 6 && candidate.length >= 15; tries++) {
      const oneCase =
        candidate === candidate.toUpperCase() || candidate === candidate.toLowerCase();
      const compact = candidate.replace(/[ -]/g, '').toUpperCase();
      if (oneCase && ibanMod97Valid(compact) && isValidIBAN(compact)) {
        emit('IBAN', m.index, m.index + candidate.length, 0.95);
        break;
      }
      const cut = Math.max(candidate.lastIndexOf(' '), candidate.lastIndexOf('-'));
      if (cut < 0) break;
      candidate = candidate.slice(0, cut);
    }
  }
}

/**
 * Emit `US_BANK_ROUTING` for checksum-valid routing numbers. A random nine-digit number passes
 * the checksum one time in ten, so without context the confidence stays modest (0.6).
 */
export function detectAbaRouting(text: string, emit: Emit): void {
  ABA_RE.lastIndex = 0;
  for (let m = ABA_RE.exec(text); m !== null; m = ABA_RE.exec(text)) {
    if (!abaValid(m[0].replace(/-/g, ''))) continue;
    emit(
      'US_BANK_ROUTING',
      m.index,
      m.index + m[0].length,
      hasContextBefore(text, m.index, ABA_CONTEXT) ? 0.9 : 0.6,
    );
  }
}

/** Emit `US_BANK_ACCOUNT` only when an account keyword precedes the number (no checksum exists). */
export function detectBankAccounts(text: string, emit: Emit): void {
  ACCOUNT_RE.lastIndex = 0;
  for (let m = ACCOUNT_RE.exec(text); m !== null; m = ACCOUNT_RE.exec(text)) {
    if (hasContextBefore(text, m.index, ACCOUNT_CONTEXT, 40))
      emit('US_BANK_ACCOUNT', m.index, m.index + m[0].length, 0.75);
  }
}

/** Emit `CRYPTO_WALLET` for checksum-valid Bitcoin addresses and Ethereum-style addresses. */
export function detectCryptoWallets(text: string, emit: Emit): void {
  BTC_BASE58_RE.lastIndex = 0;
  for (let m = BTC_BASE58_RE.exec(text); m !== null; m = BTC_BASE58_RE.exec(text)) {
    if (base58CheckValid(m[0])) emit('CRYPTO_WALLET', m.index, m.index + m[0].length, 0.95);
  }
  BTC_BECH32_RE.lastIndex = 0;
  for (let m = BTC_BECH32_RE.exec(text); m !== null; m = BTC_BECH32_RE.exec(text)) {
    if (bech32Valid(m[0])) emit('CRYPTO_WALLET', m.index, m.index + m[0].length, 0.95);
  }
  if (text.indexOf('0x') === -1) return;
  ETH_RE.lastIndex = 0;
  // No keccak-256 in node:crypto, so the EIP-55 case checksum is not verified: 0.8, not 0.95.
  for (let m = ETH_RE.exec(text); m !== null; m = ETH_RE.exec(text)) {
    emit('CRYPTO_WALLET', m.index, m.index + m[0].length, 0.8);
  }
}
