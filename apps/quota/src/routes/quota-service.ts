import type { quotav1 } from '@nethical/contracts';
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
import { fromCheckRequest, toCheckResponse } from '../adapters/check-messages';

/** `nethical.quota.v1.QuotaService` over the quota domain; one place maps its errors to codes. */
export function quotaService(quota: Quota): ServiceImpl<typeof quotav1.QuotaService> {
  return {
    async check(req) {
      if (!req.agentId) throw new InvalidArgumentError('agent_id', 'is required');
      try {
        return toCheckResponse(await quota.check(fromCheckRequest(req)));
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
