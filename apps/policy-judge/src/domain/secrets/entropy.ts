/**
 * Shannon entropy and placeholder heuristics for keyword-assigned values.
 */

/** Shannon entropy of `s` in bits per character (0 for the empty string). */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Number of character classes present: lower, upper, digit, other. */
export function charClasses(s: string): number {
  return (
    (/[a-z]/.test(s) ? 1 : 0) +
    (/[A-Z]/.test(s) ? 1 : 0) +
    (/\d/.test(s) ? 1 : 0) +
    (/[^A-Za-z0-9]/.test(s) ? 1 : 0)
  );
}

/**
 * Values that are obviously not real secrets: masks, template variables, documentation stand-ins,
 * environment lookups. Matched case-insensitively anywhere in the value.
 */
const PLACEHOLDER_RE =
  /xxx|\*\*\*|\.\.\.|^<[^>]{0,40}>$|\$\{[A-Za-z_][\w.]{0,40}\}|\{\{[^}]{0,40}\}\}|%\([a-z_]{1,40}\)s|%s\b|changeme|change[_-]me|example|sample|placeholder|your[_-]?(?:api|key|token|secret|pass)|dummy|fake|redacted|\bnull\b|\bnone\b|undefined|\btodo\b|\btbd\b|process\.env|os\.environ|getenv|\benv\(|secretkeyref|valuefrom|abcdefghij|abc123|qwerty|lorem ipsum|(.)\1{7,}|here$|_here|insert|replace_?me|^%[^%]+%$|\[[A-Z_ ]{3,}\]/i;
/** Whole-value stand-ins. */
const WHOLE_PLACEHOLDER_RE =
  /^(?:x+|\*+|-+|_+|\.+|0+|1234\d*|abc\d*|abcdef\w*|password\d*|passwd|secret|token|test\w{0,12}|true|false|yes|no)$/i;

/**
 * Whole values that are not literals but point at one: a shell variable or command substitution
 * (`$DB_PASS`, `$(vault read …)`), format fields (`{api_key}`, `{prefix}-{suffix}`), a template
 * expression of any length (`{{resolve:secretsmanager:…}}`, `#{Token}#`, `@@TOKEN@@`). And values
 * that are public or safe to publish by construction: digests and fingerprints with their
 * algorithm (`sha256:…`, `sha512-…`, `SHA256:…`), SOPS ciphertext (`ENC[AES256_GCM,…]`), data URIs,
 * SSH public keys, publishable client keys (`pk_live_…`, Mapbox `pk.eyJ…`).
 */
const NOT_A_LITERAL_RE =
  /^(?:(?:\$(?:[A-Z_][A-Z0-9_]{0,80}|[a-z_][a-z0-9_]{0,80})|\$\([^)\n]{1,200}\)|(?:\{[A-Za-z_][\w.]{0,80}\}[-_.:/ ]?){1,8}|\{\{[^\n]{1,300}\}\}|#\{[^}\n]{1,80}\}#?|@@?[A-Za-z_][\w.]{0,80}@@?)$|(?:sha(?:1|224|256|384|512)|SHA(?:1|256|384|512)|md5)[:-][A-Za-z0-9+/=_-]{16}|ENC\[[A-Z0-9_]{2,20},|data:[\w.+-]{1,40}\/[\w.+-]{1,80}[;,]|(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d{3}) AAAA|pk_(?:live|test)_|pk\.eyJ)/;

/** True when `value` is a placeholder rather than a secret. */
export function isPlaceholder(value: string): boolean {
  return (
    WHOLE_PLACEHOLDER_RE.test(value) || PLACEHOLDER_RE.test(value) || NOT_A_LITERAL_RE.test(value)
  );
}

/**
 * A token whose last segment was masked (`xoxp-572370529330-573807301142-572331691188-####`): the
 * match ends at a separator and a mask follows, so what is left is not a usable credential.
 */
const MASKED_SEGMENT_RE = /[#*•]{3}|x{4}|X{4}/y;

/** True when `token`, ending at `end` of `text`, ends at a separator followed by a mask. */
export function maskedAfter(text: string, token: string, end: number): boolean {
  if (!/[-_.:]$/.test(token)) return false;
  MASKED_SEGMENT_RE.lastIndex = end;
  return MASKED_SEGMENT_RE.test(text);
}

/**
 * True when a keyword-assigned value looks like a secret: long enough, not a placeholder, and
 * random-looking. Thresholds: at least 3.0 bits/char with two character classes and 8+ chars, or
 * 3.5 bits/char regardless (long passphrases). A dictionary word like "password" scores ~2.75.
 */
export function looksSecret(value: string): boolean {
  if (value.length < 8 || value.length > 1024 || isPlaceholder(value)) return false;
  const h = shannonEntropy(value);
  return h >= 3.5 || (h >= 3.0 && charClasses(value) >= 2);
}
