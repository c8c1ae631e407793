/**
 * Redaction with typed, numbered placeholders: `[EMAIL_1]`, `[EMAIL_2]`, `[PHONE_1]`.
 */
import type { RedactionPolicy, SensitiveEntity } from '../finding.js';
import { isRedactedUnder } from './entity-types.js';
import { resolveOverlaps } from './resolve-overlaps.js';

/** One replaced span, with offsets into the ORIGINAL text. */
export interface Replacement {
  type: string;
  start: number;
  end: number;
  placeholder: string;
}

/** Result of {@link redact}. */
export interface RedactionResult {
  text: string;
  replacements: Replacement[];
}

/**
 * Replace the entities that `policy` covers with `[TYPE_n]` placeholders.
 *
 * - Numbering is per type, in order of appearance, starting at 1; the same value of the same
 *   type always gets the same placeholder (so "mail a@x.io, then a@x.io again" stays linkable).
 * - Overlapping entities are resolved first (higher confidence, then longer, wins; see
 *   `resolveOverlaps`); entities outside the text or empty are ignored.
 * - Secret entities are redacted under every policy; PII types per docs/redaction.md; types
 *   unknown to the PII catalogue are redacted too (fail closed).
 * - All other text is copied unchanged.
 */
export function redact(
  text: string,
  entities: SensitiveEntity[],
  policy: RedactionPolicy,
): RedactionResult {
  const inRange = entities.filter(
    (e) =>
      e.start >= 0 &&
      e.end <= text.length &&
      e.start < e.end &&
      isRedactedUnder(e.type, e.kind, policy),
  );
  const chosen = resolveOverlaps(inRange);
  const counters = new Map<string, number>();
  const byValue = new Map<string, string>();
  const replacements: Replacement[] = [];
  const parts: string[] = [];
  let cursor = 0;
  for (const e of chosen) {
    const value = text.slice(e.start, e.end);
    const key = `${e.type}\u0000${value}`;
    let placeholder = byValue.get(key);
    if (placeholder === undefined) {
      const n = (counters.get(e.type) ?? 0) + 1;
      counters.set(e.type, n);
      placeholder = `[${e.type}_${n}]`;
      byValue.set(key, placeholder);
    }
    parts.push(text.slice(cursor, e.start), placeholder);
    cursor = e.end;
    replacements.push({ type: e.type, start: e.start, end: e.end, placeholder });
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), replacements };
}
