/**
 * The vocabulary every detector speaks. Pure types: no I/O, no RPC types, so detectors stay
 * unit-testable and the RPC layer maps them to `nethical.common.v1.Violation` in one place.
 */

export type SeverityName = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** Action types as the domain sees them: the shared lower-case names of `nethical.common.v1.ActionType`. */
export { ACTION_TYPE_NAMES, type ActionTypeName } from '@nethical/contracts';

/** A half-open range `[start, end)` of UTF-16 code units in the original action text. */
export interface Span {
  start: number;
  end: number;
}

/** One finding of one detector. */
export interface Finding {
  /** Detector id, e.g. `prompt-injection`. */
  detector: string;
  /** Category, e.g. `jailbreak`, `pii.email`, `secret.aws_access_key`. */
  category: string;
  severity: SeverityName;
  /** Confidence in [0, 1]. */
  confidence: number;
  /** Evidence in the original text. */
  spans: Span[];
  /** Human-readable reason. */
  reason: string;
}

/** A PII or secret entity found in text, ready for redaction. */
export interface SensitiveEntity {
  /** Entity type, upper snake case: `EMAIL`, `PHONE`, `CREDIT_CARD`, `AWS_ACCESS_KEY`, ... */
  type: string;
  /** `pii` or `secret`. */
  kind: 'pii' | 'secret';
  start: number;
  end: number;
  confidence: number;
}

export type RedactionPolicy = 'minimal' | 'standard' | 'aggressive';

/**
 * Verdict names as the domain sees them, ordered from least to most restrictive (suffix of
 * `nethical.common.v1.Decision`); the one list the type, the ranking and the policy schema use.
 */
export const DECISION_NAMES = [
  'ALLOW',
  'ALLOW_WITH_MODIFICATION',
  'WARN',
  'BLOCK',
  'QUARANTINE',
  'ESCALATE',
  'TERMINATE',
] as const;
export type DecisionName = (typeof DECISION_NAMES)[number];

/** A finding after the ethical taxonomy was applied (dimensions empty when it is off). */
export interface JudgedFinding extends Finding {
  ethicalDimensions: string[];
}
