/**
 * Typed quota errors. One place (the quota RPC handler) maps them to gRPC/Connect codes:
 * `QuotaStoreError` → UNAVAILABLE (503), `PayloadTooLargeError` → INVALID_ARGUMENT (413 at the
 * gateway), `QuotaCostTooLargeError` → INVALID_ARGUMENT, `QuotaConfigError` → exit non-zero at boot.
 * A store failure is never turned into "over quota": that would blame the agent for our outage.
 */

/** The quota store (Redis) failed or timed out; the answer is unknown, not "denied". */
export class QuotaStoreError extends Error {
  override readonly name = 'QuotaStoreError';
  constructor(
    message: string,
    /** `timeout` when the per-check deadline passed, `error` when the store threw. */
    readonly reason: 'timeout' | 'error' | 'unavailable',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The action payload is larger than `NETHICAL_MAX_PAYLOAD_BYTES`. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  constructor(
    readonly payloadBytes: number,
    readonly maxPayloadBytes: number,
  ) {
    super(`payload_bytes ${payloadBytes} exceeds the maximum of ${maxPayloadBytes}`);
  }
}

/**
 * The action costs more units than a limit's burst, so it could never be allowed; retrying
 * would not help, so it is a bad request rather than a denial with a retry time.
 */
export class QuotaCostTooLargeError extends Error {
  override readonly name = 'QuotaCostTooLargeError';
  constructor(
    readonly cost: number,
    readonly limitName: string,
    readonly burst: number,
  ) {
    super(`cost ${cost} exceeds the burst ${burst} of limit "${limitName}"`);
  }
}

/** The limits file is invalid; `issues` lists every problem found, not only the first. */
export class QuotaConfigError extends Error {
  override readonly name = 'QuotaConfigError';
  constructor(
    readonly issues: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid quota limits:\n  ${issues.join('\n  ')}`, options);
  }
}

/** The check request is malformed (e.g. an empty agent id). */
export class QuotaRequestError extends Error {
  override readonly name = 'QuotaRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
