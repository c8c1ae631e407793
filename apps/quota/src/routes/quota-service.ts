import { create } from '@bufbuild/protobuf';
import { quotav1 } from '@nethical/contracts';
import type { ServiceImpl } from '@connectrpc/connect';
import {
  InvalidArgumentError,
  PayloadTooLargeError as EdgePayloadTooLarge,
  UnavailableError,
} from '@nethical/platform';
import {
  PayloadTooLargeError,
  QuotaCostTooLargeError,
  QuotaRequestError,
  QuotaStoreError,
} from '../domain/errors';
import type { Quota } from '../domain/quota';

/** `nethical.quota.v1.QuotaService` over the quota domain; one place maps its errors to codes. */
export function quotaService(quota: Quota): ServiceImpl<typeof quotav1.QuotaService> {
  return {
    async check(req) {
      if (!req.agentId) throw new InvalidArgumentError('agent_id', 'is required');
      try {
        const d = await quota.check({
          agentId: req.agentId,
          tenantId: req.tenantId,
          regionId: req.regionId || undefined,
          cost: req.cost || undefined,
          payloadBytes: req.payloadBytes ? Number(req.payloadBytes) : undefined,
        });
        return create(quotav1.CheckResponseSchema, {
          allowed: d.allowed,
          remaining: BigInt(Math.max(0, Math.floor(d.remaining))),
          retryAfterSeconds: d.retryAfterSeconds,
          resetAfterSeconds: d.resetAfterSeconds,
          limitName: d.limitName,
          limit: BigInt(Math.max(0, Math.floor(d.limit))),
          shadowDenied: d.shadowDenied,
          store: d.store,
          windowSeconds: d.windowSeconds,
          cost: d.cost,
        });
      } catch (err) {
        if (err instanceof PayloadTooLargeError) {
          throw new EdgePayloadTooLarge('payload_bytes', err.maxPayloadBytes, err.payloadBytes);
        }
        if (err instanceof QuotaCostTooLargeError)
          throw new InvalidArgumentError('cost', err.message);
        if (err instanceof QuotaRequestError)
          throw new InvalidArgumentError('request', err.message);
        if (err instanceof QuotaStoreError) throw new UnavailableError(err.message, { cause: err });
        throw err;
      }
    },
  };
}
