/**
 * Secret detection entry point for the policy judge: provider tokens (prefix-gated), private
 * keys, connection strings, auth headers, Kubernetes Secrets and keyword assignments with
 * high-entropy values. Placeholders (`xxx`, `<your-key>`, `changeme`, `example`) are ignored.
 */
import type { SensitiveEntity } from '../finding.js';
import { asciiTable, hasRun } from '../normalise/char-tables.js';
import { resolveOverlaps } from '../pii/resolve-overlaps.js';
import { detectKeywordAssignments } from './keyword-assignments.js';
import { PROVIDER_RULES } from './provider-rules.js';
import { isPlaceholder, maskedAfter } from './entropy.js';
import {
  detectAuthHeaders,
  detectConnectionStrings,
  detectHighEntropyStrings,
  detectKubernetesSecrets,
  detectPrivateKeys,
  pushInto,
} from './structured-secrets.js';

export { PROVIDER_RULES, type ProviderRule } from './provider-rules.js';
export { shannonEntropy, looksSecret, isPlaceholder } from './entropy.js';

/**
 * Every provider token is an unbroken run of 16+ token characters, while prose is made of short
 * words: collecting those runs (one linear regex pass) lets prose skip all provider rules, and
 * keyword checks then scan the runs instead of the whole text.
 */
const LONG_TOKEN_RE = /[A-Za-z0-9_\-+/=.~:|%]{16,}/g;

/** LONG_TOKEN_RE's characters. */
const TOKEN_CHARS = asciiTable(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/=.~:|%',
);

function longTokens(text: string): string {
  // A char-code pass rules out most prose before the regex runs.
  if (!hasRun(text, TOKEN_CHARS, 16)) return '';
  const found = text.match(LONG_TOKEN_RE);
  return found === null ? '' : found.join('\n').toLowerCase();
}

/**
 * Find secrets in `text`. Returns non-overlapping entities (kind `secret`) sorted by start;
 * offsets are UTF-16 code units, half-open. Linear in the input length: every pattern is
 * bounded and most only run when their keyword/prefix occurs (one lower-casing of the text).
 */
export function detectSecrets(text: string): SensitiveEntity[] {
  if (text.length === 0) return [];
  const found: SensitiveEntity[] = [];
  const push = pushInto(found);
  const lower = text.toLowerCase();
  const tokens = longTokens(text);
  for (const rule of PROVIDER_RULES) {
    if (tokens === '') break;
    const haystack = rule.keywordsAnywhere === true ? lower : tokens;
    if (!rule.keywords.some((k) => haystack.includes(k))) continue;
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(text); m !== null; m = rule.pattern.exec(text)) {
      const secret = m[1] ?? m[0];
      const start = m[1] === undefined ? m.index : m.index + m[0].lastIndexOf(m[1]);
      if (
        isPlaceholder(secret) ||
        maskedAfter(text, secret, start + secret.length) ||
        (rule.validate !== undefined && !rule.validate(secret))
      )
        continue;
      push(rule.type, start, start + secret.length, rule.confidence);
    }
  }
  detectPrivateKeys(text, push);
  detectConnectionStrings(text, push);
  detectAuthHeaders(text, lower, push);
  detectKubernetesSecrets(text, lower, push);
  detectKeywordAssignments(text, push);
  if (tokens !== '') detectHighEntropyStrings(text, push);
  return resolveOverlaps(found);
}
