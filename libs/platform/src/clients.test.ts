import type { Interceptor } from '@connectrpc/connect';
import { quotav1 } from '@nethical/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInternalClient } from './clients';
import { createHealth } from './health';
import { createLogger } from './logger';
import { createServiceMetrics } from './metrics';
import { startServer, type RunningServer } from './server';

describe('internal client with interceptors (tracing)', () => {
  let server: RunningServer;
  let base: string;
  beforeAll(async () => {
    server = await startServer({
      name: 'clients-test',
      host: '127.0.0.1',
      port: 0,
      services: [quotav1.QuotaService],
      routes: (router) =>
        router.service(quotav1.QuotaService, {
          // Echo what arrived: the interceptor's header and which client library sent it.
          check: (_req, ctx) => ({
            allowed: true,
            limitName: `${ctx.requestHeader.get('x-trace') ?? '-'} ${ctx.requestHeader.get('user-agent') ?? ''}`,
          }),
        }),
      health: createHealth(),
      metrics: createServiceMetrics('clients_test'),
      logger: createLogger('clients-test', 'silent'),
      h2Server: 'grpc-js',
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server?.close(1000));

  it.each(['grpc-js', 'connect'] as const)('runs them around each call and keeps the %s client', async (impl) => {
    const calls: string[] = [];
    const interceptor: Interceptor = (next) => async (req) => {
      calls.push(`${req.service.typeName}/${req.method.name}`);
      req.header.set('x-trace', 'abc');
      return next(req);
    };
    const c = createInternalClient(quotav1.QuotaService, base, { timeoutMs: 2000, impl, interceptors: [interceptor] });
    const res = await c.client.check({ agentId: 'a1' });
    c.close();
    expect(calls).toEqual(['nethical.quota.v1.QuotaService/Check']);
    const [header, agent] = res.limitName.split(' ');
    expect(header).toBe('abc');
    expect(agent).toMatch(impl === 'grpc-js' ? /^grpc-node-js\// : /^connect-es\//);
  });
});
