/**
 * Typed errors of the audit log. The service maps them once, at the edge:
 * `AuditUnavailableError` → UNAVAILABLE / 503 (retry with the same action id is safe),
 * `AuditInvalidRecordError` → INVALID_ARGUMENT / 400, `AuditPageTokenError` → INVALID_ARGUMENT.
 */

/** The store cannot take or confirm the append now (database down or slow, queue full, closed). */
export class AuditUnavailableError extends Error {
  override name = 'AuditUnavailableError';
  constructor(
    message: string,
    /** Why: `queue_full`, `closed` or `database`. */
    readonly reason: 'queue_full' | 'closed' | 'database',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A record that cannot be stored as given; `field` names the offending field. */
export class AuditInvalidRecordError extends Error {
  override name = 'AuditInvalidRecordError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** A page token that was not issued for this filter or is malformed. */
export class AuditPageTokenError extends Error {
  override name = 'AuditPageTokenError';
  readonly field = 'page_token';
}
