/**
 * Generic `password=` / `secret:` / `token =>` assignments (and `"value" == password`
 * comparisons) in code, config and env files. The value must look random (Shannon entropy,
 * character classes; see `looksSecret`) and not be a placeholder.
 */
import { looksSecret } from './entropy.js';

type Push = (type: string, start: number, end: number, confidence: number) => void;

/**
 * Secret-ish key names. A lower-case keyword glued to a preceding lower-case letter (`bypass`,
 * `monkey`) is skipped in code; camelCase (`oktaApiToken`, `hubspotKey`) is kept.
 */
const KEY_RE =
  /pass(?:wd|word|phrase|wort)?|pwd|pw(?![a-z])|secrete?|token|api[_-]?key|key|credentials?|contrase[nñ]a|senha/gi;
/** XML/config pairs: `<add key="Password" value="..."/>`. */
const KEY_VALUE_ATTR_RE =
  /key\s{0,2}=\s{0,2}["'][^"'\n]{0,40}(?:password|secret|token|apikey|api_key)[^"'\n]{0,20}["']\s{1,3}value\s{0,2}=\s{0,2}["']([^"'\n]{1,256})["']/gi;
/**
 * After the key: the rest of the identifier, optional `[]`, a closing quote and/or bracket
 * (`$cfg['password'] =`), then an assignment or comparison operator (group 1), or only blanks
 * before a quoted value: the directive form of nginx, Junos and similar configs
 * (`password "…";`). Then an optional string prefix and opening quote (group 2). Sticky, bounded.
 */
const ASSIGN_RE =
  /[\w.-]{0,40}(?:\[\d{0,6}\])?["']?\]?(?:\s{0,3}(:{1,3}=|=>|\|\|=|\?\?=|\?=|!==|===|!=|==|=|:|->|,)[ \t]{0,3}|[ \t]{1,3}(?=["']))(?:[@rbfu]?(["'`]))?/iy;
const QUOTED_VALUE_RE = {
  '"': /[^"\n]{1,512}(?=")/y,
  "'": /[^'\n]{1,512}(?=')/y,
  '`': /[^`\n]{1,512}(?=`)/y,
} as const;
/** Unquoted values end at whitespace, quotes, `&` (next query parameter) and tag brackets. */
const BARE_VALUE_RE = /[^\s"'`&<>]{1,512}/y;
/** Reverse comparison: `"value" == password`. */
const REVERSE_RE =
  /(["'`])([^"'`\n]{8,512})\1\s{0,3}(?:===?|!==?)\s{0,3}[\w.]{0,40}?(?:pass(?:wd|word)?|pwd|secrete?|token|key)/gi;
/** Bare values that are code, not literals: calls, subscripts, attribute chains, variables, numbers. */
const CODE_VALUE_RE =
  /^[A-Za-z_][\w.]*[([]|^[$%{\[]|^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+$|^\d+$|^[a-z_]+$|^[\w-]+(?:\.[\w-]+)+(?::\d{1,5})?$/;
/** Names (not values): identifiers spelling a secret word without any digit, e.g. `MySecretKey`. */
const NAME_LIKE_VALUE_RE = /^[A-Za-z_-]*(?:pass|secret|token|key|cred)[A-Za-z_-]*$/i;
/**
 * Stand-ins that spell the secret word itself, with at most a number after it: `supersecret123`,
 * `test-token-42`, `mypassword1`. A generated secret does not contain the word for a secret.
 */
const WORDY_STAND_IN_RE =
  /^[A-Za-z_.-]{0,24}(?:secret|passw(?:or)?d|token)[A-Za-z_.-]{0,24}\d{0,8}$/i;
/** Identifiers and dotted names: every `_ - .`-separated part is a word or a short number. */
const IDENTIFIER_PART_RE = /^(?:[A-Za-z]+|\d{1,4})$/;

function identifierLike(value: string): boolean {
  return value.split(/[_.-]/).every((part) => IDENTIFIER_PART_RE.test(part));
}
/** Key names that hold public or non-secret data despite containing a keyword. */
const NON_SECRET_KEY_RE =
  /public|csrf|xsrf|fingerprint|(?:cache|etag|hash|checksum|digest|sort|partition|primary|foreign|idempotency|dedupe?|lookup|row|item|cursor|object)[_.-]?key|_id\b|[a-z]Id\b|keyboard|monkey|keyword|(?:name|path|file|dir|url|uri|type|size|length|alias|format|version|count|ref|field|header|prefix|label|hint|error|message|msg|prompt|placeholder|title|description|tooltip|pattern|regexp?|policy|rules?|validation)["']?$/i;
/** Filesystem paths are locations, not secrets. */
const PATH_VALUE_RE = /^(?:\/|~\/|\.\.?\/|[A-Za-z]:\\)/;

/** The text from `start` to the end of its line, without trailing blanks. */
function restOfLine(text: string, start: number): string {
  const eol = text.indexOf('\n', start);
  return text.slice(start, eol === -1 ? text.length : eol).trimEnd();
}

/** Emit `GENERIC_SECRET` for random-looking values assigned to secret-named keys. */
export function detectKeywordAssignments(text: string, push: Push): void {
  KEY_RE.lastIndex = 0;
  for (let m = KEY_RE.exec(text); m !== null; m = KEY_RE.exec(text)) {
    const apiKey = /^api/i.test(m[0]);
    if (!apiKey && /[a-z]/.test(text.charAt(m.index - 1)) && /[a-z]/.test(m[0].charAt(0))) continue;
    // `keying`, `tokenizer`, `secretary`: the keyword is only the start of another word.
    if (/[a-z]/.test(text.charAt(m.index + m[0].length))) continue;
    ASSIGN_RE.lastIndex = m.index + m[0].length;
    const a = ASSIGN_RE.exec(text);
    if (a === null) continue;
    const before = /[\w.-]{0,24}$/.exec(text.slice(Math.max(0, m.index - 24), m.index))?.[0] ?? '';
    if (NON_SECRET_KEY_RE.test(before + m[0] + (/^[\w.-]*/.exec(a[0])?.[0] ?? ''))) continue;
    const valueStart = ASSIGN_RE.lastIndex;
    const operator = a[1];
    const quote = a[2] as '"' | "'" | '`' | undefined;
    // The directive form needs a keyword that names a secret on its own: `key "…"` is too common
    // outside configs (key bindings, map literals) to count.
    if (operator === undefined && /^key$/i.test(m[0])) continue;
    // After an arrow an unquoted right-hand side is an expression (Ruby/PHP/Perl hashes, match
    // arms), never a literal: `password => params[:password]`.
    if (quote === undefined && (operator === '=>' || operator === '->')) continue;
    const valueRe = quote === undefined ? BARE_VALUE_RE : QUOTED_VALUE_RE[quote];
    valueRe.lastIndex = valueStart;
    const v = valueRe.exec(text);
    if (v === null) continue;
    const value = quote === undefined ? v[0].replace(/[,;)}\]]+$/, '') : v[0];
    if (PATH_VALUE_RE.test(value)) continue;
    // An unquoted value closed by `;` is a code statement: the right-hand side is an identifier
    // or expression, not a literal. One that starts `name=` is another key=value pair.
    if (
      quote === undefined &&
      (restOfLine(text, valueStart).endsWith(';') || /^[A-Za-z_]\w*=/.test(value))
    )
      continue;
    // `key="…"` as an XML/HTML attribute names an entry; its secret, if any, is in `value=`.
    if (
      /^key$/i.test(m[0]) &&
      quote !== undefined &&
      /<[^>\n]*$/.test(text.slice(Math.max(0, m.index - 200), m.index))
    )
      continue;
    if (
      (quote === undefined && CODE_VALUE_RE.test(value)) ||
      NAME_LIKE_VALUE_RE.test(value) ||
      WORDY_STAND_IN_RE.test(value) ||
      identifierLike(value)
    )
      continue;
    // A backtick string with spaces is a shell command substitution, not a literal.
    if (quote === '`' && /\s/.test(value)) continue;
    if (looksSecret(value)) push('GENERIC_SECRET', valueStart, valueStart + value.length, 0.75);
    KEY_RE.lastIndex = Math.max(KEY_RE.lastIndex, valueStart + value.length);
  }
  KEY_VALUE_ATTR_RE.lastIndex = 0;
  for (let m = KEY_VALUE_ATTR_RE.exec(text); m !== null; m = KEY_VALUE_ATTR_RE.exec(text)) {
    const value = m[1] ?? '';
    const start = m.index + m[0].length - value.length - 1;
    if (looksSecret(value)) push('GENERIC_SECRET', start, start + value.length, 0.75);
  }
  if (text.indexOf('==') === -1 && text.indexOf('!=') === -1) return;
  REVERSE_RE.lastIndex = 0;
  for (let m = REVERSE_RE.exec(text); m !== null; m = REVERSE_RE.exec(text)) {
    const value = m[2] ?? '';
    if (looksSecret(value)) push('GENERIC_SECRET', m.index + 1, m.index + 1 + value.length, 0.7);
  }
}
