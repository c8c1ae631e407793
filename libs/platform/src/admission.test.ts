import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { healthv1, quotav1 } from '@nethical/contracts';
import http2 from 'node:http2';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmission } from './admission';
import { createHealth } from './health';
import { createLogger } from './logger';
import { createServiceMetrics } from './metrics';
import { startServer, type RunningServer } from './server';

describe('createAdmission', () => {
  it('admits up to the limit, refuses the next, and admits again after a release', async () => {
    const registry = new Registry();
    const a = createAdmission({ maxInFlight: 2, registry });
    const r1 = a.tryAcquire();
    const r2 = a.tryAcquire();
    expect(r1 && r2).toBeTruthy();
    expect(a.tryAcquire()).toBeUndefined();
    r1!();
    r1!(); // a second release of the same slot is ignored
    expect(a.inFlight).toBe(1);
    expect(a.tryAcquire()).toBeTruthy();
    expect(await registry.getSingleMetricAsString('nethical_admission_rejected_total')).toMatch(
      / 1$/m,
    );
  });

  it('is unbounded with 0', () => {
    const a = createAdmission({ maxInFlight: 0 });
    for (let i = 0; i < 10_000; i++) expect(a.tryAcquire()).toBeTruthy();
  });
});

describe.each(['connect', 'grpc-js'] as const)(
  'a server with an in-flight limit (h2c by %s)',
  (h2Server) => {
    let server: RunningServer;
    let base: string;
    let release: () => void = () => {};
    let started = 0;
    const refused: string[] = [];
    beforeAll(async () => {
      const health = createHealth();
      health.setStarted();
      server = await startServer({
        name: 'shed',
        host: '127.0.0.1',
        port: 0,
        services: [quotav1.QuotaService],
        routes: (router) =>
          router.service(quotav1.QuotaService, {
            check: async () => {
              started += 1;
              await new Promise<void>((r) => (release = r));
              return { allowed: true };
            },
          }),
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
        health,
        metrics: createServiceMetrics('shed'),
        logger: createLogger('shed', 'silent'),
        admission: createAdmission({ maxInFlight: 1, onReject: (what) => refused.push(what) }),
        h2Server,
      });
      base = `http://127.0.0.1:${server.port}`;
    });
    afterAll(() => server.close(100));

    it('refuses the excess at once with UNAVAILABLE / 503 and Retry-After, and keeps health answering', async () => {
      const quota = createClient(quotav1.QuotaService, createGrpcTransport({ baseUrl: base }));
      const first = quota.check({ agentId: 'a', tenantId: 't' });
      await new Promise((r) => setTimeout(r, 50));
      const t0 = Date.now();
      const err = await quota.check({ agentId: 'b', tenantId: 't' }).catch((e: unknown) => e);
      expect(Date.now() - t0).toBeLessThan(500);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.Unavailable);
      expect((err as ConnectError).metadata.get('retry-after')).toBe('1');
      // Plain HTTP work is refused too, with a JSON body and Retry-After ...
      const res = await fetch(`${base}/slow`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toMatchObject({ code: 'unavailable' });
      // ... while probes are never refused.
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const health = createClient(
        healthv1.Health,
        createConnectTransport({ baseUrl: base, httpVersion: '1.1' }),
      );
      expect((await health.check({ service: '' })).status).toBe(
        healthv1.HealthCheckResponse_ServingStatus.SERVING,
      );
      // What was refused is named, so a service can count its refused work (the gateway's actions).
      expect(refused).toEqual(['nethical.quota.v1.QuotaService/Check', '/slow']);
      release();
      expect((await first).allowed).toBe(true);
    });

    it('does not start a call whose deadline passed while it waited', async () => {
      const before = started;
      // Raw h2c so the timing is certain: the headers carry a 1 ms deadline and the body follows
      // 50 ms later, so the deadline has passed before the handler could start.
      const session = http2.connect(base);
      const stream = session.request({
        ':method': 'POST',
        ':path': `/${quotav1.QuotaService.typeName}/Check`,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': '1m',
      });
      const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => {
        let headers: http2.IncomingHttpHeaders = {};
        stream.on('response', (h) => (headers = { ...headers, ...h }));
        stream.on('trailers', (t) => (headers = { ...headers, ...t }));
        stream.on('close', () => resolve(headers));
        stream.on('data', () => {});
      });
      await new Promise((r) => setTimeout(r, 50));
      stream.end(Buffer.from([0, 0, 0, 0, 0])); // an empty CheckRequest
      const answer = await trailers;
      session.close();
      expect(answer['grpc-status']).toBe(String(Code.DeadlineExceeded));
      await new Promise((r) => setTimeout(r, 50));
      expect(started).toBe(before);
    });
  },
);
