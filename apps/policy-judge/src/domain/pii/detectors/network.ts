/**
 * Network identifiers: IPv4 / IPv6 (validated with `node:net` isIP), MAC addresses, URLs and
 * URLs carrying credentials.
 */
import { isIP } from 'node:net';
import type { Emit } from './scan-context.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** Dotted quad, optional CIDR suffix /0-32; not glued to letters or a preceding dot. */
const IPV4_RE = new RegExp(
  `(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?:/(?:3[0-2]|[12]?\\d)(?!\\d))?(?!\\w)`,
  'g',
);
/** IPv6 candidate: starts with `h:` or `:`; the rest is hex, colons and dots (embedded IPv4). */
const IPV6_RE = /(?<![\w:.%])(?:[0-9A-Fa-f]{1,4}:|:)[0-9A-Fa-f:.]{1,44}/g;
const ZONE_RE = /^%[A-Za-z0-9_.-]{1,16}/;
const PREFIX_RE = /^\/(\d{1,3})(?!\d)/;
const MAC_RE =
  /(?<![\w:.-])(?:[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w:.-])/g;
const URL_RE = /(?<![\w@.])(?:(?:https?|ftps?|wss?):\/\/|www\.)[^\s<>"'`]{2,2048}/gi;
/** Bare domains with a common TLD (file extensions such as .py/.md/.sh are deliberately absent). */
const DOMAIN_RE =
  /(?<![\w@.\/-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,4}(?:com|org|net|edu|gov|mil|int|io|co|info|biz|app|dev|ai|site|online|store|tech|xyz|cloud|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|ie|pt|cz|ru|cn|jp|kr|in|au|nz|ca|us|br|mx|ar|za|il|tr|gr|hu|ro|ua|sg|hk|tw|cy|eu)(?![\w-]|\.[a-z0-9])/gi;
/** `scheme://user:password@host`. The password class stops at whitespace, `@` and `/`. */
const CRED_URL_RE =
  /(?<![\w+.-])[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:@\/]{1,128}:[^\s@\/]{1,256}@[^\s<>"'`]{1,2048}/gi;
/** Template or placeholder passwords, which reveal nothing. */
const TEMPLATE_PASSWORD_RE =
  /^(?:\$\{[^}]*\}|\{\{[^}]*\}\}|<[^>]*>|%s|\*+|x+|password|pass|secret|changeme|\$[A-Z_]+)$/i;
const TRAILING_PUNCT_RE = /[.,;:!?)\]}'"]+$/;

/** Emit IPv4 and IPv6 addresses (confidence 0.9; version strings like 1.2.3.4 remain ambiguous). */
export function detectIps(text: string, emit: Emit): void {
  if (text.indexOf('.') !== -1) {
    IPV4_RE.lastIndex = 0;
    for (let m = IPV4_RE.exec(text); m !== null; m = IPV4_RE.exec(text)) {
      const addr = m[0].split('/')[0] ?? '';
      if (isIP(addr) === 4) emit('IP_ADDRESS', m.index, m.index + m[0].length, 0.9);
    }
  }
  if (text.indexOf(':') === -1) return;
  IPV6_RE.lastIndex = 0;
  for (let m = IPV6_RE.exec(text); m !== null; m = IPV6_RE.exec(text)) {
    let token = m[0];
    while (token.endsWith('.') || (token.endsWith(':') && !token.endsWith('::')))
      token = token.slice(0, -1);
    if (token.split(':').length < 3) continue;
    let end = m.index + token.length;
    const zone = ZONE_RE.exec(text.slice(end, end + 17));
    if (zone) end += zone[0].length;
    const prefix = PREFIX_RE.exec(text.slice(end, end + 5));
    if (prefix && Number(prefix[1]) <= 128) end += prefix[0].length;
    if (/\w/.test(text.charAt(end))) continue; // glued to a word: `fe80::1text`
    if (isIP(token) === 6) emit('IP_ADDRESS', m.index, end, 0.9);
  }
}

const HEX = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
const isHex = (text: string, i: number): boolean => HEX[text.charCodeAt(i)] === 1; // NaN/non-ASCII → undefined

/**
 * Whether MAC_RE can match: it needs a `:`/`-` between two hex pairs or a `.` between two hex
 * quads. A char-code pass is much cheaper than the regex on prose, which has many dots.
 */
function mayHaveMac(text: string): boolean {
  for (let i = 2; i < text.length - 2; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a || c === 0x2d) {
      if (isHex(text, i - 1) && isHex(text, i - 2) && isHex(text, i + 1) && isHex(text, i + 2))
        return true;
    } else if (c === 0x2e) {
      if (
        isHex(text, i - 1) &&
        isHex(text, i - 2) &&
        isHex(text, i - 3) &&
        isHex(text, i - 4) &&
        isHex(text, i + 1) &&
        isHex(text, i + 2) &&
        isHex(text, i + 3) &&
        isHex(text, i + 4)
      )
        return true;
    }
  }
  return false;
}

/** Emit MAC addresses; all-zero and broadcast addresses identify no device and are skipped. */
export function detectMacs(text: string, emit: Emit): void {
  if (!mayHaveMac(text)) return;
  MAC_RE.lastIndex = 0;
  for (let m = MAC_RE.exec(text); m !== null; m = MAC_RE.exec(text)) {
    const hex = m[0].replace(/[^0-9A-Fa-f]/g, '').toLowerCase();
    if (hex === '000000000000' || hex === 'ffffffffffff') continue;
    emit('MAC_ADDRESS', m.index, m.index + m[0].length, 0.85);
  }
}

/** Emit URLs (scheme or `www.` ones at 0.85, bare domains at 0.6). */
export function detectUrls(text: string, emit: Emit): void {
  if (text.indexOf('.') === -1) return;
  URL_RE.lastIndex = 0;
  for (let m = URL_RE.exec(text); m !== null; m = URL_RE.exec(text)) {
    const url = m[0].replace(TRAILING_PUNCT_RE, '');
    if (url.includes('.')) emit('URL', m.index, m.index + url.length, 0.85);
  }
  DOMAIN_RE.lastIndex = 0;
  for (let m = DOMAIN_RE.exec(text); m !== null; m = DOMAIN_RE.exec(text)) {
    emit('URL', m.index, m.index + m[0].length, 0.6);
  }
}

/** Emit `URL_WITH_CREDENTIALS` for any scheme carrying a non-placeholder password. */
export function detectCredentialUrls(text: string, emit: Emit): void {
  if (text.indexOf('://') === -1 || text.indexOf('@') === -1) return;
  CRED_URL_RE.lastIndex = 0;
  for (let m = CRED_URL_RE.exec(text); m !== null; m = CRED_URL_RE.exec(text)) {
    const afterScheme = m[0].slice(m[0].indexOf('://') + 3);
    const userInfo = afterScheme.slice(0, afterScheme.indexOf('@'));
    const password = userInfo.slice(userInfo.indexOf(':') + 1);
    if (password.length === 0 || TEMPLATE_PASSWORD_RE.test(password)) continue;
    const url = m[0].replace(TRAILING_PUNCT_RE, '');
    emit('URL_WITH_CREDENTIALS', m.index, m.index + url.length, 0.95);
  }
}
