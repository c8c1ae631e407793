import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient, createContextKey } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { healthv1, quotav1, reflectionv1 } from '@nethical/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from './errors';
import { createHealth } from './health';
import { createLogger } from './logger';
import { createServiceMetrics } from './metrics';
import { startServer, type RunningServer } from './server';

/** What an interceptor hands the handler through the context values. */
const tenantKey = createContextKey('none', { description: 'tenant from a header' });

describe.each(['connect', 'grpc-js'] as const)('one port for every protocol (h2c served by %s)', (h2Server) => {
  let server: RunningServer;
  let base: string;
  const health = createHealth();
  beforeAll(async () => {
    server = await startServer({
      name: 'test',
      host: '127.0.0.1',
      port: 0,
      services: [quotav1.QuotaService],
      routes: (router) =>
        router.service(quotav1.QuotaService, {
          check: (req, ctx) => {
            if (req.agentId === 'missing') throw new NotFoundError('no agent missing');
            return { allowed: true, limitName: `agent:${req.agentId}@${ctx.values.get(tenantKey)}` };
          },
        }),
      interceptors: [
        (next) => async (req) => {
          req.contextValues.set(tenantKey, req.header.get('x-tenant') ?? 'none');
          return next(req);
        },
      ],
      httpRoutes: [{ method: 'GET', path: '/hello', handler: (_q, res) => void res.end('hi') }],
      health,
      metrics: createServiceMetrics('test'),
      logger: createLogger('test', 'silent'),
      h2Server,
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close(100));

  it('answers gRPC over h2c, Connect over HTTP/1.1 and gRPC-web over HTTP/1.1', async () => {
    health.setStarted();
    const serving = healthv1.HealthCheckResponse_ServingStatus.SERVING;
    for (const transport of [
      createGrpcTransport({ baseUrl: base }),
      createConnectTransport({ baseUrl: base, httpVersion: '1.1' }),
      // Connect over h2c only where connect-node serves h2c (the public gateway).
      ...(h2Server === 'connect' ? [createConnectTransport({ baseUrl: base, httpVersion: '2' })] : []),
      createGrpcWebTransport({ baseUrl: base, httpVersion: '1.1' }),
    ]) {
      const client = createClient(healthv1.Health, transport);
      expect((await client.check({ service: '' })).status).toBe(serving);
    }
  });

  it('runs the service implementation with typed errors mapped to gRPC codes, on both protocols', async () => {
    for (const transport of [createGrpcTransport({ baseUrl: base }), createConnectTransport({ baseUrl: base, httpVersion: '1.1' })]) {
      const client = createClient(quotav1.QuotaService, transport);
      expect(await client.check({ agentId: 'a7' }, { headers: { 'x-tenant': 'acme' } })).toMatchObject({
        allowed: true,
        limitName: 'agent:a7@acme',
      });
      const err = await client.check({ agentId: 'missing' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.NotFound);
      expect((err as ConnectError).rawMessage).toContain('no agent missing');
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/nethical_rpc_server_duration_seconds_count\{[^}]*method="Check"[^}]*code="NotFound"[^}]*\} [1-9]/);
  });

  it('serves plain HTTP routes, /healthz, /readyz and /metrics', async () => {
    expect(await (await fetch(`${base}/hello`)).text()).toBe('hi');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('nethical_rpc_server_duration_seconds');
    expect((await fetch(`${base}/hello`, { method: 'POST' })).status).toBe(405);
  });

  it('lists services and files through reflection (v1)', async () => {
    const client = createClient(reflectionv1.ServerReflection, createGrpcTransport({ baseUrl: base }));
    const requests = async function* () {
      yield create(reflectionv1.ServerReflectionRequestSchema, { messageRequest: { case: 'listServices', value: '' } });
      yield create(reflectionv1.ServerReflectionRequestSchema, {
        messageRequest: { case: 'fileContainingSymbol', value: 'grpc.health.v1.Health.Check' },
      });
    };
    const answers = [];
    for await (const res of client.serverReflectionInfo(requests())) answers.push(res);
    const list = answers[0]!.messageResponse;
    expect(list.case).toBe('listServicesResponse');
    if (list.case === 'listServicesResponse') {
      expect(list.value.service.map((s) => s.name)).toEqual(expect.arrayContaining(['grpc.health.v1.Health', 'nethical.quota.v1.QuotaService']));
    }
    expect(answers[1]!.messageResponse.case).toBe('fileDescriptorResponse');
  });

  it.each(['grpc-js', 'connect'] as const)('internal clients (NETHICAL_RPC_CLIENT=%s) make unary and server-streaming calls with codes intact', async (impl) => {
    const { createInternalClient } = await import('./clients');
    const c = createInternalClient(healthv1.Health, base, { timeoutMs: 2000, impl });
    expect((await c.client.check({ service: '' })).status).toBe(healthv1.HealthCheckResponse_ServingStatus.SERVING);
    const err = await c.client.check({ service: 'no.such.Service' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as InstanceType<typeof ConnectError>).code).toBe(Code.NotFound);
    for await (const update of c.client.watch({ service: '' })) {
      expect(update.status).toBe(healthv1.HealthCheckResponse_ServingStatus.SERVING);
      break;
    }
    // A server stream's error arrives as a ConnectError with its code (either transport).
    const watchErr = await (async () => {
      for await (const update of c.client.watch({ service: 'no.such.Service' })) return update;
      return 'ended without error';
    })().catch((e: unknown) => e);
    expect(watchErr).toBeInstanceOf(ConnectError);
    expect((watchErr as ConnectError).code).toBe(Code.NotFound);
    c.close();
  });
});

describe('graceful close with grpc-js on h2c', () => {
  it('lets an in-flight gRPC call finish before closing', async () => {
    let release: () => void = () => {};
    const s = await startServer({
      name: 'drain-grpc',
      host: '127.0.0.1',
      port: 0,
      services: [quotav1.QuotaService],
      routes: (router) =>
        router.service(quotav1.QuotaService, {
          check: async () => {
            await new Promise<void>((r) => (release = r));
            return { allowed: true };
          },
        }),
      health: createHealth(),
      metrics: createServiceMetrics('drain-grpc'),
      logger: createLogger('drain-grpc', 'silent'),
      h2Server: 'grpc-js',
    });
    const client = createClient(quotav1.QuotaService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${s.port}` }));
    const slow = client.check({ agentId: 'a' });
    await new Promise((r) => setTimeout(r, 100));
    let closedAt = 0;
    const closed = s.close(60_000).then(() => (closedAt = Date.now()));
    await new Promise((r) => setTimeout(r, 100));
    expect(closedAt).toBe(0);
    release();
    expect((await slow).allowed).toBe(true);
    await closed;
  });
});

describe('graceful close', () => {
  it('lets in-flight requests finish and does not wait for idle keep-alive connections', async () => {
    let release: () => void = () => {};
    const s = await startServer({
      name: 'drain',
      host: '127.0.0.1',
      port: 0,
      services: [],
      routes: () => {},
      httpRoutes: [
        {
          method: 'GET',
          path: '/slow',
          handler: async (_q, res) => {
            await new Promise<void>((r) => (release = r));
            res.end('done');
          },
        },
      ],
      health: createHealth(),
      metrics: createServiceMetrics('drain'),
      logger: createLogger('drain', 'silent'),
    });
    const url = `http://127.0.0.1:${s.port}`;
    // An idle keep-alive connection (fetch keeps it in its pool) ...
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // ... and one request in flight.
    const slow = fetch(`${url}/slow`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    // A one-minute deadline: this test would time out if close waited for the idle connection.
    const closed = s.close(60_000);
    release();
    expect(await slow).toBe('done');
    await closed;
  });
});
