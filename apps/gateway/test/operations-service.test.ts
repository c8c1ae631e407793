import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { gatewayv1 } from '@nethical/contracts';
import { errorMappingInterceptor } from '@nethical/platform';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../src/domain/auth';
import { createStatsPublisher } from '../src/domain/published-stats';
import { operationsService } from '../src/routes/operations-service';
import { rpcAuthInterceptor } from '../src/routes/rpc-auth';

function client(opts: { adminKeys?: string[]; sla?: boolean; key?: string } = {}) {
  const stats = createStatsPublisher({ mode: 'standard', epsilon: 1 });
  for (const d of ['ALLOW', 'ALLOW', 'BLOCK']) stats.record(d);
  const transport = createRouterTransport(
    ({ service }) => {
      service(
        gatewayv1.OperationsService,
        operationsService({
          stats,
          sla: () =>
            opts.sla === false
              ? undefined
              : {
                  targetP99Ms: 200,
                  p99Ms: 250.5,
                  p50Ms: 3,
                  count: 3,
                  breached: true,
                  windowSeconds: 60,
                },
          actionsTotal: async () => 3,
          now: () => new Date('2026-12-02T18:00:00Z'),
        }),
      );
    },
    {
      router: {
        interceptors: [
          errorMappingInterceptor(() => undefined),
          rpcAuthInterceptor(createAuthenticator([], opts.adminKeys ?? [])),
        ],
      },
    },
  );
  const headers: Record<string, string> = opts.key ? { authorization: `Bearer ${opts.key}` } : {};
  return { ops: createClient(gatewayv1.OperationsService, transport), headers };
}

describe('OperationsService.GetStats', () => {
  it('reports the decision mix, total and rolling latency', async () => {
    const { ops } = client();
    const res = await ops.getStats({});
    expect(res.actionsTotal).toBe(3n);
    expect(res.decisions).toEqual({ ALLOW: 2n, BLOCK: 1n });
    expect(res.privacyMode).toBe('standard');
    expect(res).toMatchObject({
      p99Ms: 250.5,
      p50Ms: 3,
      targetP99Ms: 200,
      windowCount: 3n,
      windowSeconds: 60,
      breached: true,
    });
    expect(timestampDate(res.observedAt!).toISOString()).toBe('2026-12-02T18:00:00.000Z');
  });

  it('reports zero latency when SLA monitoring is off', async () => {
    const res = await client({ sla: false }).ops.getStats({});
    expect(res).toMatchObject({ p99Ms: 0, windowCount: 0n, breached: false });
  });

  it('needs the admin key when admin keys are configured', async () => {
    const denied = client({ adminKeys: ['admin-secret'] });
    await expect(denied.ops.getStats({})).rejects.toSatisfy(
      (e) => ConnectError.from(e).code === Code.Unauthenticated,
    );
    const allowed = client({ adminKeys: ['admin-secret'], key: 'admin-secret' });
    await expect(allowed.ops.getStats({}, { headers: allowed.headers })).resolves.toMatchObject({
      actionsTotal: 3n,
    });
  });
});
