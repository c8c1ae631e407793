/**
 * Typed errors of the judge domain. The RPC layer maps them once: `InvalidActionError` →
 * InvalidArgument/400, `EscalationNotFoundError` → NotFound/404, `PolicyValidationError` is a
 * boot/reload failure (never reaches a client).
 */

/** The action handed to `judge()` is malformed; `field` names the offending field. */
export class InvalidActionError extends Error {
  override name = 'InvalidActionError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** A policy or taxonomy file failed validation; `issues` lists every problem found, not just the first. */
export class PolicyValidationError extends Error {
  override name = 'PolicyValidationError';
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`${file}: ${issues.length} problem(s):\n  - ${issues.join('\n  - ')}`);
  }
}

/** No escalation with that id. */
export class EscalationNotFoundError extends Error {
  override name = 'EscalationNotFoundError';
  constructor(readonly escalationId: string) {
    super(`escalation ${escalationId} not found`);
  }
}

/** An escalation can be resolved once, to APPROVED or REJECTED. */
export class EscalationStateError extends Error {
  override name = 'EscalationStateError';
}

/**
 * The shared store holding the answer is unreachable and no local copy can stand in (an operator
 * reading or resolving an escalation this judge does not hold during a Redis outage). → Unavailable/503.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}
