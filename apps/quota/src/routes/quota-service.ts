import { create } from '@bufbuild/protobuf';
import { quotav1 } from '@nethical/contracts';
import type { ServiceImpl } from '@connectrpc/connect';
import {
  InvalidArgumentError,
  PayloadTooLargeError as EdgePayloadTooLarge,
  toConnectError,
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
  const check = async (req: quotav1.CheckRequest, prefix = ''): Promise<quotav1.CheckResponse> => {
    if (!req.agentId) throw new InvalidArgumentError(`${prefix}agent_id`, 'is required');
    try {
      return toCheckResponse(await quota.check(fromCheckRequest(req)));
    } catch (err) {
      if (err instanceof PayloadTooLargeError) {
        throw new EdgePayloadTooLarge(
          `${prefix}payload_bytes`,
          err.maxPayloadBytes,
          err.payloadBytes,
        );
      }
      if (err instanceof QuotaCostTooLargeError)
        throw new InvalidArgumentError(`${prefix}cost`, err.message);
      if (err instanceof QuotaRequestError)
        throw new InvalidArgumentError(`${prefix}request`, err.message);
      if (err instanceof QuotaStoreError) throw new UnavailableError(err.message, { cause: err });
      throw err;
    }
  };
  return {
    check: (req) => check(req),
    async checkBatch(req) {
      if (req.checks.length > MAX_BATCH) {
        throw new InvalidArgumentError('checks', `must hold at most ${MAX_BATCH} checks`);
      }
      // All at once: with auto-pipelining their Redis scripts go out in one write.
      const outcomes = await Promise.all(
        req.checks.map(async (c, i) => {
          try {
            return create(quotav1.CheckOutcomeSchema, {
              response: await check(c, `checks[${i}].`),
            });
          } catch (err) {
            const ce = toConnectError(err);
            return create(quotav1.CheckOutcomeSchema, {
              errorCode: ce.code,
              errorMessage: ce.rawMessage,
            });
          }
        }),
      );
      return create(quotav1.CheckBatchResponseSchema, { outcomes });
    },
  };
}

/** Most checks one CheckBatch may carry. */
export const MAX_BATCH = 256;
