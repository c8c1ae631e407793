import { Code, ConnectError } from '@connectrpc/connect';

/**
 * Typed domain errors. Domain code throws these; `toConnectError` and `httpStatusOf` are the one
 * place they become gRPC/Connect codes and HTTP statuses. The message is safe for clients and
 * names the field; the cause goes to the logs only.
 */
export class InvalidArgumentError extends Error {
  override name = 'InvalidArgumentError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** The request reuses an identifier that belongs to something else (ALREADY_EXISTS, 409). */
export class AlreadyExistsError extends Error {
  override name = 'AlreadyExistsError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
  constructor(
    readonly field: string,
    readonly limitBytes: number,
    readonly actualBytes: number,
  ) {
    super(`${field}: ${actualBytes} bytes exceeds the limit of ${limitBytes} bytes (NETHICAL_MAX_PAYLOAD_BYTES)`);
  }
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export class UnauthenticatedError extends Error {
  override name = 'UnauthenticatedError';
}

export class PermissionDeniedError extends Error {
  override name = 'PermissionDeniedError';
}

/** Over quota. `retryAfterSeconds` goes into Retry-After / RetryInfo. */
export class QuotaExceededError extends Error {
  override name = 'QuotaExceededError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly limit: number,
    readonly remaining: number,
    readonly resetAfterSeconds: number,
    readonly limitName: string,
    readonly windowSeconds = 1,
  ) {
    super(message);
  }
}

/** A dependency is down or saturated; the caller may retry. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Map any error to a ConnectError with the right code; unknown errors become INTERNAL. */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof InvalidArgumentError) return new ConnectError(err.message, Code.InvalidArgument);
  if (err instanceof PayloadTooLargeError) return new ConnectError(err.message, Code.InvalidArgument);
  if (err instanceof NotFoundError) return new ConnectError(err.message, Code.NotFound);
  if (err instanceof AlreadyExistsError) return new ConnectError(err.message, Code.AlreadyExists);
  if (err instanceof UnauthenticatedError) return new ConnectError(err.message, Code.Unauthenticated);
  if (err instanceof PermissionDeniedError) return new ConnectError(err.message, Code.PermissionDenied);
  if (err instanceof QuotaExceededError) {
    const e = new ConnectError(err.message, Code.ResourceExhausted);
    e.metadata.set('retry-after', String(Math.max(1, Math.ceil(err.retryAfterSeconds))));
    return e;
  }
  if (err instanceof UnavailableError) return new ConnectError(err.message, Code.Unavailable, undefined, undefined, err);
  return new ConnectError('internal error', Code.Internal, undefined, undefined, err);
}

const httpByCode: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.FailedPrecondition]: 412,
  [Code.ResourceExhausted]: 429,
  [Code.Canceled]: 499,
  [Code.Unimplemented]: 501,
  [Code.Unavailable]: 503,
  [Code.DeadlineExceeded]: 504,
};

/** HTTP status for an error (PayloadTooLarge is 413 on plain HTTP routes). */
export function httpStatusOf(err: unknown): number {
  if (err instanceof PayloadTooLargeError) return 413;
  return httpByCode[toConnectError(err).code] ?? 500;
}

/** Code name as Connect writes it in JSON errors (`invalid_argument`). */
export function codeName(code: Code): string {
  return Code[code].replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Server interceptor: domain errors become ConnectErrors; unexpected ones are logged with their cause. */
export function errorMappingInterceptor(log: (err: unknown, procedure: string) => void): import('@connectrpc/connect').Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (err) {
      const mapped = toConnectError(err);
      if (mapped.code === Code.Internal && !(err instanceof ConnectError)) log(err, req.url);
      throw mapped;
    }
  };
}
