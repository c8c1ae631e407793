import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { gatewayv1 } from '@nethical/contracts';
import type { NodeRequest, NodeResponse } from '@nethical/platform';
import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { actionErrorsInterceptor, countActionHttpErrors, createGatewayInstruments, reasonOfStatus } from '../src/telemetry';

const errorCounts = async (registry: Registry) =>
  (await registry.getSingleMetric('nethical_errors_total')!.get()).values.map((v) => [v.labels.reason, v.labels.protocol, v.value]);

describe('nethical_errors_total', () => {
  it('maps HTTP statuses to the gRPC code names RPC clients see', () => {
    expect([400, 401, 403, 409, 413, 429, 500, 503, 504].map(reasonOfStatus)).toEqual([
      'invalid_argument',
      'unauthenticated',
      'permission_denied',
      'already_exists',
      'payload_too_large',
      'resource_exhausted',
      'internal',
      'unavailable',
      'deadline_exceeded',
    ]);
  });

  it('counts every failed ProcessAction RPC by code, and nothing else', async () => {
    const registry = new Registry();
    const instruments = createGatewayInstruments(registry);
    const transport = createRouterTransport(
      (router) =>
        router.service(gatewayv1.GovernanceService, {
          processAction: (req) => {
            if (req.agentId === 'over') throw new ConnectError('over quota', Code.ResourceExhausted);
            if (req.agentId === 'bad') throw new ConnectError('agent_id', Code.InvalidArgument);
            return {};
          },
          getCheckpoint: () => {
            throw new ConnectError('none', Code.NotFound);
          },
        }),
      { router: { interceptors: [actionErrorsInterceptor(instruments.errors)] } },
    );
    const client = createClient(gatewayv1.GovernanceService, transport);
    await client.processAction({ agentId: 'ok', action: 'x' });
    for (const agentId of ['over', 'over', 'bad']) await client.processAction({ agentId, action: 'x' }).catch(() => {});
    await client.getCheckpoint({}).catch(() => {});
    expect(await errorCounts(registry)).toEqual([
      ['resource_exhausted', 'rpc', 2],
      ['invalid_argument', 'rpc', 1],
    ]);
  });

  it('counts 4xx and 5xx answers of POST /process_action from the status sent', async () => {
    const registry = new Registry();
    const instruments = createGatewayInstruments(registry);
    let status = 200;
    const routes = countActionHttpErrors(
      [
        { method: 'POST', path: '/process_action', handler: (_q, res) => void ((res.statusCode = status), res.emit('finish')) },
        { method: 'GET', path: '/v1/audit/:id', handler: (_q, res) => void ((res.statusCode = 404), res.emit('finish')) },
      ],
      instruments.errors,
    );
    const call = async (index: number, s: number) => {
      status = s;
      const res = Object.assign(new EventEmitter(), { statusCode: 0 }) as unknown as NodeResponse;
      await routes[index]!.handler({} as NodeRequest, res, {}, new URLSearchParams());
    };
    for (const s of [200, 400, 413, 429, 503, 200]) await call(0, s);
    await call(1, 404);
    expect(await errorCounts(registry)).toEqual([
      ['invalid_argument', 'http', 1],
      ['payload_too_large', 'http', 1],
      ['resource_exhausted', 'http', 1],
      ['unavailable', 'http', 1],
    ]);
  });
});
