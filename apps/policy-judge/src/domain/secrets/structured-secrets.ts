/**
 * Secrets recognised by structure rather than by provider prefix: PEM / OpenSSH private key
 * blocks, connection strings with passwords, HTTP auth headers and `curl -u`, Kubernetes Secret
 * manifests.
 */
import type { SensitiveEntity } from '../finding.js';
import { isPlaceholder, looksSecret, shannonEntropy } from './entropy.js';

type Push = (type: string, start: number, end: number, confidence: number) => void;

const BEGIN_RE = /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const END_RE = /-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
/** Base64 body when the END line is missing (truncated paste): still a secret. */
const BODY_RE = /[\sA-Za-z0-9+/=:,-]{0,65536}/y;

/** Emit `PRIVATE_KEY` for PEM / OpenSSH / PGP private key blocks (with or without END line). */
export function detectPrivateKeys(text: string, push: Push): void {
  if (text.indexOf('PRIVATE KEY') === -1) return;
  BEGIN_RE.lastIndex = 0;
  for (let m = BEGIN_RE.exec(text); m !== null; m = BEGIN_RE.exec(text)) {
    END_RE.lastIndex = m.index + m[0].length;
    const end = END_RE.exec(text);
    let stop: number;
    if (end !== null && end.index - m.index < 65536) {
      stop = end.index + end[0].length;
    } else {
      BODY_RE.lastIndex = m.index + m[0].length;
      const body = BODY_RE.exec(text);
      stop = m.index + m[0].length + (body?.[0].trimEnd().length ?? 0);
    }
    const body = text.slice(m.index + m[0].length, end?.index ?? stop).replace(/\s/g, '');
    // A header with an empty or dotted-out body is documentation, not a key.
    if (body.length >= 16 && !/x{3}|\.{3}|<|your|example|redacted/i.test(body))
      push('PRIVATE_KEY', m.index, stop, 0.99);
    BEGIN_RE.lastIndex = stop;
  }
}

/** `scheme://user:password@host...` for database, cache and message-broker schemes, and JDBC. */
const CONN_RE =
  /(?<![\w+.-])(?:jdbc:[a-z]{2,12}:|)(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|oracle|couchdb|clickhouse|cassandra|neo4j|nats|kafka|ldaps?|s?ftp|smtps?|https?|wss?):\/\/([^\s:@\/"'`]{0,128}):([^\s@\/"'`]{1,256})@[^\s"'`<>]{1,1024}/gi;
const TRAILING_PUNCT_RE = /[.,;:!?)\]}'"]+$/;

/** Emit `CONNECTION_STRING` when the embedded password is not a placeholder or template. */
export function detectConnectionStrings(text: string, push: Push): void {
  if (text.indexOf('://') === -1) return;
  CONN_RE.lastIndex = 0;
  for (let m = CONN_RE.exec(text); m !== null; m = CONN_RE.exec(text)) {
    const password = m[2] ?? '';
    if (password.length < 3 || isPlaceholder(password) || /^\$|^%|^\{/.test(password)) continue;
    const s = m[0].replace(TRAILING_PUNCT_RE, '');
    push('CONNECTION_STRING', m.index, m.index + s.length, 0.95);
  }
}

const AUTH_HEADER_RE =
  /\b(?:authorization|proxy-authorization|x-api-key|x-auth-token|api-key|token|private-token|x-access-token)\s{0,2}:\s{0,3}(?:(?:bearer|basic|token|apikey|key)\s{1,3})?([A-Za-z0-9._~+/=-]{8,4096})/gi;
const CURL_USER_RE = /(?:\s|^)(?:-u|--user)[ =]{1,3}(\S{1,300})/g;

/** Emit `AUTH_HEADER` for credentials in HTTP headers and `BASIC_AUTH` for `curl -u user:pass`. */
export function detectAuthHeaders(text: string, lower: string, push: Push): void {
  if (
    lower.indexOf('auth') !== -1 ||
    lower.indexOf('token') !== -1 ||
    lower.indexOf('key') !== -1
  ) {
    AUTH_HEADER_RE.lastIndex = 0;
    for (let m = AUTH_HEADER_RE.exec(text); m !== null; m = AUTH_HEADER_RE.exec(text)) {
      const value = m[1] ?? '';
      if (!looksSecret(value) && !(value.length >= 12 && /^[a-f0-9]+$/i.test(value))) continue;
      const start = m.index + m[0].length - value.length;
      push('AUTH_HEADER', start, start + value.length, 0.85);
    }
  }
  if (lower.indexOf('curl') === -1) return;
  CURL_USER_RE.lastIndex = 0;
  for (let m = CURL_USER_RE.exec(text); m !== null; m = CURL_USER_RE.exec(text)) {
    const token = m[1] ?? '';
    const plain = token.replace(/["'{}]/g, '');
    const colon = plain.indexOf(':');
    if (colon < 0) continue;
    const user = plain.slice(0, colon);
    const password = plain.slice(colon + 1);
    const secretPart = password.length > 0 ? password : user;
    const shellVar = /\$(?:\{|\(|[A-Za-z_])/;
    if (
      secretPart.length < 4 ||
      isPlaceholder(secretPart) ||
      shellVar.test(secretPart) ||
      shellVar.test(user)
    )
      continue;
    const start = m.index + m[0].length - token.length;
    push('BASIC_AUTH', start, start + token.length, 0.85);
  }
}

/** `key: base64` on one line, or `key: |` / `key: >` with the value on the next, deeper line. */
const K8S_DATA_LINE_RE =
  /^[ \t]{1,12}([\w.-]{1,253}):(?:[ \t]{1,4}|[ \t]{1,4}[|>][-+]?[ \t]{0,4}\r?\n[ \t]{2,24})([A-Za-z0-9+/]{12,8192}={0,2})[ \t]*$/gm;
/** Only obvious stand-ins: base64 of binary data legitimately has long runs (`AAAAAAAA`). */
const K8S_PLACEHOLDER_RE = /x{3}|example|redacted|changeme|^<|\$\{/i;

/** Emit `K8S_SECRET` for base64 values of a `kind: Secret` manifest's data section. */
export function detectKubernetesSecrets(text: string, lower: string, push: Push): void {
  if (!/kind:\s{0,4}secret\b/.test(lower) || lower.indexOf('data:') === -1) return;
  K8S_DATA_LINE_RE.lastIndex = 0;
  for (let m = K8S_DATA_LINE_RE.exec(text); m !== null; m = K8S_DATA_LINE_RE.exec(text)) {
    const value = m[2] ?? '';
    if (K8S_PLACEHOLDER_RE.test(value) || shannonEntropy(value) < 3) continue;
    const start = m.index + m[0].lastIndexOf(value);
    push('K8S_SECRET', start, start + value.length, 0.85);
  }
}

/** Randoms that are public by design: hashes, signatures, CSRF tokens, nonces, public keys, cache keys. */
const NON_SECRET_RANDOM_CONTEXT =
  /public|signature|authenticity|csrf|xsrf|nonce|hash|sha\d*|md5|checksum|integrity|digest|etag|commit|revision|cache|fingerprint/i;

function hasContextBefore(text: string, start: number, re: RegExp): boolean {
  return re.test(text.slice(Math.max(0, start - 40), start));
}

/** A quoted string that is only hex (32+) or only base64 (24+ with padding/mixed case). */
const QUOTED_RANDOM_RE = /(["'])([A-Fa-f0-9]{32,512}|[A-Za-z0-9+/_-]{24,1024}={0,2})\1/g;

/**
 * Emit `HIGH_ENTROPY_STRING` for quoted random-looking literals without any keyword, with the
 * detect-secrets thresholds (hex ≥ 3.0 bits/char, base64 ≥ 4.5). Low confidence (0.5): quoted
 * hashes and ids also qualify, so every more specific entity wins an overlap.
 */
export function detectHighEntropyStrings(text: string, push: Push): void {
  if (text.indexOf('"') === -1 && text.indexOf("'") === -1) return;
  QUOTED_RANDOM_RE.lastIndex = 0;
  for (let m = QUOTED_RANDOM_RE.exec(text); m !== null; m = QUOTED_RANDOM_RE.exec(text)) {
    const value = m[2] ?? '';
    const hex = /^[A-Fa-f0-9]+$/.test(value);
    const h = shannonEntropy(value);
    if (
      hex ? h < 3.0 : h < 4.5 || !/[A-Z]/.test(value) || !/[a-z]/.test(value) || !/\d/.test(value)
    )
      continue;
    if (isPlaceholder(value) || /[A-Za-z]{15}/.test(value)) continue; // long words: not random
    if (hasContextBefore(text, m.index, NON_SECRET_RANDOM_CONTEXT)) continue;
    push('HIGH_ENTROPY_STRING', m.index + 1, m.index + 1 + value.length, 0.5);
  }
}

/** Build a push callback that appends `secret` entities to `out`. */
export function pushInto(out: SensitiveEntity[]): Push {
  return (type, start, end, confidence) =>
    out.push({ type, kind: 'secret', start, end, confidence });
}
