/**
 * PII detection entry point for the policy judge.
 *
 * Detectors are grouped by the lowest policy that needs them, and cheap prefilters (digit count,
 * presence of `@`, `:`, `.`) skip whole groups, so a typical message without numbers or
 * addresses costs a few linear scans.
 */
import type { RedactionPolicy, SensitiveEntity } from '../finding.js';
import { detectAddresses } from './detectors/address.js';
import { detectDates } from './detectors/dates.js';
import { detectDigitRuns } from './detectors/digit-runs.js';
import { detectEmails } from './detectors/email.js';
import {
  detectAbaRouting,
  detectBankAccounts,
  detectCards,
  detectCryptoWallets,
  detectIbans,
} from './detectors/financial.js';
import { detectContextualIds, detectSsnItin, detectUkIds } from './detectors/government-ids.js';
import { detectNationalIds } from './detectors/national-ids.js';
import { detectNames } from './detectors/names.js';
import { detectCredentialUrls, detectIps, detectMacs, detectUrls } from './detectors/network.js';
import { detectPhones } from './detectors/phone.js';
import { collectInto, countDigits } from './detectors/scan-context.js';
import { isRedactedUnder } from './entity-types.js';
import { resolveOverlaps } from './resolve-overlaps.js';

export { PII_TYPES, isRedactedUnder, policyCovers, type PiiType } from './entity-types.js';
export { resolveOverlaps } from './resolve-overlaps.js';

/** Options of {@link detectPii}. */
export interface DetectPiiOptions {
  /** Which entity types to look for; default `standard`. See docs/redaction.md. */
  policy?: RedactionPolicy;
}

/** Policy used when none is given. */
export const DEFAULT_PII_POLICY: RedactionPolicy = 'standard';

/**
 * Find PII in `text`. Returns non-overlapping entities (kind `pii`) sorted by start, limited to
 * the types the policy redacts. Offsets are UTF-16 code units, half-open. Runs in time linear in
 * the input length (all patterns use bounded, non-nested quantifiers; see docs/redaction.md).
 */
export function detectPii(text: string, options: DetectPiiOptions = {}): SensitiveEntity[] {
  const policy = options.policy ?? DEFAULT_PII_POLICY;
  if (text.length === 0) return [];
  const found: SensitiveEntity[] = [];
  const emit = collectInto(found);
  const standard = policy !== 'minimal';
  const aggressive = policy === 'aggressive';
  const digits = countDigits(text, 7);

  // minimal: financial, government IDs, credentials in URLs
  if (digits >= 7) {
    detectCards(text, emit);
    detectAbaRouting(text, emit);
    detectBankAccounts(text, emit);
    detectSsnItin(text, emit);
    detectContextualIds(text, emit);
  }
  if (digits >= 4) {
    detectUkIds(text, emit);
    detectIbans(text, emit);
    detectNationalIds(text, emit);
  }
  if (digits >= 1) detectCryptoWallets(text, emit);
  detectCredentialUrls(text, emit);

  if (standard) {
    detectEmails(text, emit);
    if (digits >= 1) {
      detectIps(text, emit);
      detectAddresses(text, emit);
    }
    if (digits >= 7)
      detectPhones(
        text,
        emit,
        found.filter((e) => e.confidence >= 0.85),
      );
    if (text.indexOf(':') !== -1 || text.indexOf('-') !== -1 || text.indexOf('.') !== -1)
      detectMacs(text, emit);
    if (digits >= 1 || aggressive) detectDates(text, emit, !aggressive);
  }

  if (aggressive) {
    detectNames(text, emit);
    detectUrls(text, emit);
    if (digits >= 7) detectDigitRuns(text, emit);
  }

  return resolveOverlaps(found.filter((e) => isRedactedUnder(e.type, e.kind, policy)));
}
