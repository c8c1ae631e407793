/**
 * The catalogue of PII entity types and the redaction policy tier each belongs to.
 * One table, so `detectPii`, `redact` and docs/redaction.md cannot disagree.
 */
import type { RedactionPolicy } from '../finding.js';

/** Policy tiers in increasing order of what they cover. */
export const POLICY_ORDER: readonly RedactionPolicy[] = ['minimal', 'standard', 'aggressive'];

/** Group an entity type belongs to (documentation and reporting only). */
export type PiiGroup =
  'financial' | 'government_id' | 'credential' | 'contact' | 'network' | 'personal' | 'generic';

/** Catalogue entry: the lowest policy that redacts the type. */
export interface PiiTypeInfo {
  group: PiiGroup;
  tier: RedactionPolicy;
}

/** Every PII type `detectPii` can emit. Secret entities (kind `secret`) are redacted under every policy. */
export const PII_TYPES = {
  CREDIT_CARD: { group: 'financial', tier: 'minimal' },
  IBAN: { group: 'financial', tier: 'minimal' },
  US_BANK_ROUTING: { group: 'financial', tier: 'minimal' },
  US_BANK_ACCOUNT: { group: 'financial', tier: 'minimal' },
  CRYPTO_WALLET: { group: 'financial', tier: 'minimal' },
  US_SSN: { group: 'government_id', tier: 'minimal' },
  US_ITIN: { group: 'government_id', tier: 'minimal' },
  PASSPORT: { group: 'government_id', tier: 'minimal' },
  DRIVER_LICENSE: { group: 'government_id', tier: 'minimal' },
  NATIONAL_ID: { group: 'government_id', tier: 'minimal' },
  UK_NINO: { group: 'government_id', tier: 'minimal' },
  UK_NHS: { group: 'government_id', tier: 'minimal' },
  URL_WITH_CREDENTIALS: { group: 'credential', tier: 'minimal' },
  EMAIL: { group: 'contact', tier: 'standard' },
  PHONE: { group: 'contact', tier: 'standard' },
  STREET_ADDRESS: { group: 'contact', tier: 'standard' },
  IP_ADDRESS: { group: 'network', tier: 'standard' },
  MAC_ADDRESS: { group: 'network', tier: 'standard' },
  DATE_OF_BIRTH: { group: 'personal', tier: 'standard' },
  PERSON: { group: 'personal', tier: 'aggressive' },
  URL: { group: 'network', tier: 'aggressive' },
  DATE: { group: 'personal', tier: 'aggressive' },
  DIGIT_RUN: { group: 'generic', tier: 'aggressive' },
} as const satisfies Record<string, PiiTypeInfo>;

/** A PII entity type name. */
export type PiiType = keyof typeof PII_TYPES;

/** True when `policy` covers `tier` (minimal < standard < aggressive). */
export function policyCovers(policy: RedactionPolicy, tier: RedactionPolicy): boolean {
  return POLICY_ORDER.indexOf(policy) >= POLICY_ORDER.indexOf(tier);
}

/**
 * True when an entity of `type`/`kind` is redacted under `policy`. Secrets always are; so are
 * types this catalogue does not know (another detector's entity): failing closed is the safe side.
 */
export function isRedactedUnder(
  type: string,
  kind: 'pii' | 'secret',
  policy: RedactionPolicy,
): boolean {
  if (kind === 'secret') return true;
  const info = (PII_TYPES as Record<string, PiiTypeInfo>)[type];
  return info === undefined || policyCovers(policy, info.tier);
}
