/**
 * E-mail addresses. Scans from each `@` outwards instead of running one big regex over the whole
 * text: a regex starting with a local-part class would retry up to 64 characters at every
 * position; this is strictly linear and skips text without `@` in one `indexOf`.
 */
import type { Emit } from './scan-context.js';

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
/** Domain: dot-separated labels, TLD alphabetic (or punycode). Input is at most 253 chars. */
const DOMAIN_RE =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,8}(?:[a-z]{2,24}|xn--[a-z0-9-]{1,59})$/i;

function isLocalChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 46 ||
    c === 95 ||
    c === 37 ||
    c === 43 ||
    c === 45 || // . _ % + -
    // Latin letters with diacritics (RFC 6531 local parts such as `josé`); other scripts are
    // left out so "邮箱是test@x.io" does not swallow the preceding words.
    (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7)
  );
}

function isDomainChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45
  );
}

/** Obfuscation markers: `[at]`, `(at)`, `{at}`, and the same for `dot`. */
const OBFUSCATION_PREFILTER = /[[({](?:at|dot)[\])}]/i;
const AT = '(?:@|[ ]?[[({]at[\\])}][ ]?)';
const DOT = '(?:\\.|[ ]?[[({]dot[\\])}][ ]?)';
/** `john.doe [at] example [dot] com`, `john@example[dot]com`: bounded labels, separators between. */
const OBFUSCATED_RE = new RegExp(
  `(?<![\\w.%+-])[A-Za-z0-9._%+-]{1,64}${AT}[A-Za-z0-9-]{1,63}(?:${DOT}[A-Za-z0-9-]{1,63}){0,6}${DOT}[A-Za-z]{2,24}(?![\\w-])`,
  'gi',
);

/** Emit `EMAIL` for addresses obfuscated against scrapers (confidence 0.8). */
function detectObfuscatedEmails(text: string, emit: Emit): void {
  if (!OBFUSCATION_PREFILTER.test(text)) return;
  OBFUSCATED_RE.lastIndex = 0;
  for (let m = OBFUSCATED_RE.exec(text); m !== null; m = OBFUSCATED_RE.exec(text)) {
    if (/[[({](?:at|dot)[\])}]/i.test(m[0])) emit('EMAIL', m.index, m.index + m[0].length, 0.8);
  }
}

/** Emit `EMAIL` entities (confidence 0.95: the syntax is unambiguous once the TLD checks out). */
export function detectEmails(text: string, emit: Emit): void {
  let at = text.indexOf('@');
  while (at !== -1) {
    let s = at;
    while (s > 0 && at - s < MAX_LOCAL && isLocalChar(text.charCodeAt(s - 1))) s--;
    while (s < at && text.charCodeAt(s) === 46) s++; // a local part cannot start with '.'
    let e = at + 1;
    while (e < text.length && e - at <= MAX_DOMAIN && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
    const localOk = s < at && text.charCodeAt(at - 1) !== 46;
    if (localOk && DOMAIN_RE.test(text.slice(at + 1, e))) emit('EMAIL', s, e, 0.95);
    at = text.indexOf('@', Math.max(e, at + 1));
  }
  detectObfuscatedEmails(text, emit);
}
