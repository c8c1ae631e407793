import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { auditv1, judgev1, quotav1 } from '@nethical/contracts';
import { createLogger } from '@nethical/platform';
import { describe, expect, it } from 'vitest';
import { createServicePorts } from '../src/adapters/service-ports';

/** Ports over a quota service (in memory, through Connect's router transport) that fails with `code`. */
function portsWithQuotaFailing(code: Code) {
  const transport = createRouterTransport(({ service }) => {
    service(quotav1.QuotaService, {
      check: () => {
        throw new ConnectError('quota trouble', code);
      },
    });
  });
  let bypassed = 0;
  const ports = createServicePorts({
    quota: createClient(quotav1.QuotaService, transport),
    judge: createClient(judgev1.PolicyJudgeService, transport),
    audit: createClient(auditv1.AuditStoreService, transport),
    logger: createLogger('test', 'silent'),
    onQuotaUnavailable: () => (bypassed += 1),
  });
  return { ports, bypassed: () => bypassed };
}

const request = { agentId: 'agent-1', tenantId: 't', regionId: 'r', payloadBytes: 10n } as quotav1.CheckRequest;

describe('gateway quota port', () => {
  it.each([Code.Unavailable, Code.DeadlineExceeded])('fails open and counts it when quota is unreachable (%s)', async (code) => {
    const { ports, bypassed } = portsWithQuotaFailing(code);
    const res = await ports.checkQuota!(request);
    expect(res.allowed).toBe(true);
    expect(res.store).toBe('unavailable');
    expect(bypassed()).toBe(1);
  });

  it.each([Code.Unknown, Code.Internal, Code.InvalidArgument])('surfaces any other quota error (%s) instead of lifting limits', async (code) => {
    const { ports, bypassed } = portsWithQuotaFailing(code);
    await expect(ports.checkQuota!(request)).rejects.toMatchObject({ code });
    expect(bypassed()).toBe(0);
  });
});
