import { create } from '@bufbuild/protobuf';
import { quotav1 } from '@nethical/contracts';
import { QuotaRequestError } from '../domain/errors';
import type { QuotaCheck, QuotaDecision } from '../domain/quota';

/** `quota.v1.CheckRequest` → domain check (uint64 payload size → number, validated). */
export function fromCheckRequest(request: quotav1.CheckRequest): QuotaCheck {
  if (request.payloadBytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new QuotaRequestError('payload_bytes', 'payload_bytes is out of range');
  }
  return {
    agentId: request.agentId,
    tenantId: request.tenantId,
    regionId: request.regionId,
    cost: request.cost,
    payloadBytes: Number(request.payloadBytes),
    actionId: request.actionId || undefined,
  };
}

/** Domain decision → `quota.v1.CheckResponse`. */
export function toCheckResponse(decision: QuotaDecision): quotav1.CheckResponse {
  return create(quotav1.CheckResponseSchema, {
    allowed: decision.allowed,
    remaining: BigInt(Math.max(0, Math.floor(decision.remaining))),
    retryAfterSeconds: decision.retryAfterSeconds,
    resetAfterSeconds: decision.resetAfterSeconds,
    limitName: decision.limitName,
    limit: BigInt(decision.limit),
    shadowDenied: decision.shadowDenied,
    store: decision.store,
    windowSeconds: decision.windowSeconds,
    cost: decision.cost,
    replay: decision.replay,
  });
}
