import { PayloadTooLargeError, QuotaRequestError } from './errors';

/**
 * Units an action costs. An explicit `cost` (≥ 1) wins; otherwise large payloads cost more:
 * cost = 1 + floor(payloadBytes / costUnitBytes), so with 64 KiB units a 10 KiB action costs 1,
 * a 64 KiB action 2 and a 1 MiB action 17. Payloads above `maxPayloadBytes` are rejected.
 */
export function actionCost(
  input: { cost?: number | undefined; payloadBytes?: number | undefined },
  costUnitBytes: number,
  maxPayloadBytes: number,
): number {
  const bytes = input.payloadBytes ?? 0;
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new QuotaRequestError('payload_bytes', 'payload_bytes must be a non-negative integer');
  }
  if (bytes > maxPayloadBytes) throw new PayloadTooLargeError(bytes, maxPayloadBytes);
  if (input.cost !== undefined && input.cost !== 0) {
    if (!Number.isSafeInteger(input.cost) || input.cost < 1) {
      throw new QuotaRequestError('cost', 'cost must be a positive integer');
    }
    return input.cost;
  }
  return 1 + Math.floor(bytes / costUnitBytes);
}
