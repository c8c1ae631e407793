import { create } from '@bufbuild/protobuf';
import { quotav1 } from '@nethical/contracts';
import { describe, expect, it } from 'vitest';
import { fromCheckRequest, toCheckResponse } from '../src/adapters/check-messages';
import { QuotaRequestError } from '../src/domain/errors';

describe('check messages', () => {
  it('maps a request and a decision', () => {
    const check = fromCheckRequest(
      create(quotav1.CheckRequestSchema, {
        agentId: 'a',
        tenantId: 't',
        regionId: 'r',
        payloadBytes: 70_000n,
      }),
    );
    expect(check).toEqual({
      agentId: 'a',
      tenantId: 't',
      regionId: 'r',
      cost: 0,
      payloadBytes: 70_000,
    });
    const res = toCheckResponse({
      allowed: false,
      remaining: 0,
      retryAfterSeconds: 0.25,
      resetAfterSeconds: 2,
      limitName: 'agent',
      limit: 10,
      windowSeconds: 2,
      shadowDenied: ['tenant'],
      store: 'redis',
      cost: 2,
      replay: false,
    });
    expect(res).toMatchObject({
      allowed: false,
      remaining: 0n,
      limit: 10n,
      limitName: 'agent',
      cost: 2,
      windowSeconds: 2,
    });
    expect(res.shadowDenied).toEqual(['tenant']);
  });

  it('rejects a payload size beyond 2^53', () => {
    const req = create(quotav1.CheckRequestSchema, {
      agentId: 'a',
      tenantId: 't',
      payloadBytes: 2n ** 60n,
    });
    expect(() => fromCheckRequest(req)).toThrow(QuotaRequestError);
  });
});
