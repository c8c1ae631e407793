import { create, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient, createContextKey } from '@connectrpc/connect';
import {
  compressionGzip,
  createConnectTransport,
  createGrpcTransport,
} from '@connectrpc/connect-node';
import { quotav1, reflectionv1 } from '@nethical/contracts';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectServices } from './grpc-js-server';
import { createGrpcUnaryLane } from './grpc-unary-lane';
import { createHealth } from './health';
import { createLogger } from './logger';
import { createServiceMetrics } from './metrics';
import { errorMappingInterceptor, QuotaExceededError } from './errors';
import { startServer, type RunningServer } from './server';

const tenantKey = createContextKey('none', { description: 'tenant from a header' });

/** What the handler saw of its call, for the assertions below. */
const seen: { aborted?: string; timeoutMs?: number | undefined } = {};

function quotaImpl(): Parameters<typeof collectServices>[0] {
  return (router) =>
    router.service(quotav1.QuotaService, {
      check: async (req, ctx) => {
        seen.timeoutMs = ctx.timeoutMs();
        if (req.agentId === 'over')
          throw new QuotaExceededError('agent over quota', 7, 10, 0, 7, 'agent');
        if (req.agentId === 'boom') throw new Error('a bug with a secret inside');
        if (req.agentId === 'slow') {
          await new Promise<void>((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              seen.aborted = ConnectError.from(ctx.signal.reason).code.toString();
              resolve();
            });
          });
          return { allowed: false };
        }
        ctx.responseHeader.set('x-served-by', 'lane-test');
        ctx.responseTrailer.set('x-trailer', 'done');
        return { allowed: true, limitName: `agent:${req.agentId}@${ctx.values.get(tenantKey)}` };
      },
    });
}
const interceptors = [
  (next: (req: never) => Promise<never>) =>
    async (req: { contextValues: { set: (k: unknown, v: unknown) => void }; header: Headers }) => {
      req.contextValues.set(tenantKey, req.header.get('x-tenant') ?? 'none');
      return next(req as never);
    },
];

/** A raw h2 unary call: returns the response headers, trailers and body. */
async function rawCall(
  base: string,
  path: string,
  body: Buffer,
  extra: Record<string, string> = {},
) {
  const session = http2.connect(base);
  try {
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...extra,
    });
    const chunks: Buffer[] = [];
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    stream.on('response', (h) => (headers = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.end(body);
    await new Promise((resolve, reject) => {
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    const status = trailers['grpc-status'] ?? headers['grpc-status'];
    const message = trailers['grpc-message'] ?? headers['grpc-message'];
    return {
      status: Number(status),
      message: decodeURIComponent(String(message ?? '')),
      body: Buffer.concat(chunks),
      headers,
    };
  } finally {
    session.close();
  }
}
const envelope = (payload: Uint8Array, flags = 0) => {
  const frame = Buffer.alloc(5 + payload.length);
  frame[0] = flags;
  frame.writeUInt32BE(payload.length, 1);
  frame.set(payload, 5);
  return frame;
};
const checkBytes = toBinary(
  quotav1.CheckRequestSchema,
  create(quotav1.CheckRequestSchema, { agentId: 'a1' }),
);
const checkPath = '/nethical.quota.v1.QuotaService/Check';

describe('the unary gRPC lane on its own http2 server', () => {
  let server: http2.Http2Server;
  let base: string;
  let passedOn = 0;
  const sessions = new Set<http2.ServerHttp2Session>();
  beforeAll(async () => {
    const lane = createGrpcUnaryLane({
      services: collectServices(quotaImpl()),
      interceptors: [errorMappingInterceptor(() => undefined), ...(interceptors as never[])],
      readMaxBytes: 64,
      onCallStart: () => undefined,
      onCallEnd: () => undefined,
    });
    server = http2.createServer();
    server.on('session', (session) => sessions.add(session));
    server.on('stream', (stream, headers) => {
      if (lane(stream, headers)) return;
      passedOn += 1;
      stream.respond({ ':status': 404 }, { endStream: true });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  // Clients keep their HTTP/2 sessions open; close() would wait for them for ever.
  afterAll(async () => {
    for (const session of sessions) session.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers a unary call with the interceptors, the handler and its headers and trailers', async () => {
    const client = createClient(quotav1.QuotaService, createGrpcTransport({ baseUrl: base }));
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const res = await client.check(
      { agentId: 'a7' },
      {
        headers: { 'x-tenant': 'acme' },
        onHeader: (h) => (header = h),
        onTrailer: (t) => (trailer = t),
      },
    );
    expect(res).toMatchObject({ allowed: true, limitName: 'agent:a7@acme' });
    expect(header?.get('x-served-by')).toBe('lane-test');
    expect(trailer?.get('x-trailer')).toBe('done');
    expect(passedOn).toBe(0);
  });

  it('maps typed errors to codes with their metadata, and hides an unexpected error', async () => {
    const client = createClient(quotav1.QuotaService, createGrpcTransport({ baseUrl: base }));
    const over = ConnectError.from(
      await client.check({ agentId: 'over' }).catch((e: unknown) => e),
    );
    expect(over.code).toBe(Code.ResourceExhausted);
    expect(over.metadata.get('retry-after')).toBe('7');
    const boom = ConnectError.from(
      await client.check({ agentId: 'boom' }).catch((e: unknown) => e),
    );
    expect(boom.code).toBe(Code.Internal);
    expect(boom.rawMessage).not.toContain('secret');
  });

  it('passes the deadline to the handler, and answers DEADLINE_EXCEEDED and aborts it when it passes', async () => {
    const client = createClient(quotav1.QuotaService, createGrpcTransport({ baseUrl: base }));
    await client.check({ agentId: 'a1' }, { timeoutMs: 5_000 });
    expect(seen.timeoutMs).toBeGreaterThan(4_000);
    expect(seen.timeoutMs).toBeLessThanOrEqual(5_000);
    const raw = await rawCall(
      base,
      checkPath,
      envelope(
        toBinary(
          quotav1.CheckRequestSchema,
          create(quotav1.CheckRequestSchema, { agentId: 'slow' }),
        ),
      ),
      { 'grpc-timeout': '50m' },
    );
    expect(raw.status).toBe(Code.DeadlineExceeded);
    expect(seen.aborted).toBe(String(Code.DeadlineExceeded));
  });

  it('takes a deadline longer than a timer can hold as no deadline, not as one already passed', async () => {
    const raw = await rawCall(base, checkPath, envelope(checkBytes), {
      'grpc-timeout': '99999999H',
    });
    expect(raw.status).toBe(0);
    expect(seen.timeoutMs).toBeGreaterThan(2 ** 31);
  });

  it('aborts the handler when the client cancels', async () => {
    seen.aborted = undefined;
    const client = createClient(quotav1.QuotaService, createGrpcTransport({ baseUrl: base }));
    const controller = new AbortController();
    const call = client
      .check({ agentId: 'slow' }, { signal: controller.signal })
      .catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    expect(ConnectError.from(await call).code).toBe(Code.Canceled);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.aborted).toBe(String(Code.Canceled));
  });

  it('refuses malformed envelopes with INVALID_ARGUMENT and a message that says what is wrong', async () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.alloc(0), /missing input message/],
      [Buffer.from([0, 0, 0]), /incomplete envelope/],
      [envelope(checkBytes).subarray(0, 7), /incomplete envelope/],
      [Buffer.concat([envelope(checkBytes), envelope(checkBytes)]), /extra input message/],
      [envelope(checkBytes, 1), /compressed envelope/],
      [envelope(checkBytes, 0x80), /envelope flags/],
      [envelope(Buffer.from([0xff, 0xff, 0xff])), /parse binary/],
    ];
    for (const [body, message] of cases) {
      const raw = await rawCall(base, checkPath, body);
      expect(raw.status, message.source).toBe(Code.InvalidArgument);
      expect(raw.message).toMatch(message);
    }
  });

  it('refuses a message over the read limit with RESOURCE_EXHAUSTED', async () => {
    const big = toBinary(
      quotav1.CheckRequestSchema,
      create(quotav1.CheckRequestSchema, { agentId: 'x'.repeat(500) }),
    );
    const raw = await rawCall(base, checkPath, envelope(big));
    expect(raw.status).toBe(Code.ResourceExhausted);
    expect(raw.message).toMatch(/readMaxBytes 64/);
  });

  it('passes on what it does not serve: other methods, JSON, compression, a bad timeout, an encoded body', async () => {
    const before = passedOn;
    await rawCall(base, '/nethical.quota.v1.QuotaService/Nope', envelope(checkBytes)).catch(
      () => undefined,
    );
    await rawCall(base, checkPath, envelope(Buffer.from('{}')), {
      'content-type': 'application/grpc+json',
    }).catch(() => undefined);
    await rawCall(base, checkPath, envelope(checkBytes), { 'grpc-encoding': 'gzip' }).catch(
      () => undefined,
    );
    await rawCall(base, checkPath, envelope(checkBytes), { 'grpc-timeout': 'soon' }).catch(
      () => undefined,
    );
    await rawCall(base, checkPath, envelope(checkBytes), { 'content-encoding': 'gzip' }).catch(
      () => undefined,
    );
    expect(passedOn - before).toBe(5);
  });
});

describe.each([true, false])(
  'a server with the lane %s answers every h2c protocol the same',
  (grpcUnaryLane) => {
    let server: RunningServer;
    let base: string;
    beforeAll(async () => {
      server = await startServer({
        name: 'test',
        host: '127.0.0.1',
        port: 0,
        services: [quotav1.QuotaService],
        routes: quotaImpl(),
        interceptors: interceptors as never,
        health: createHealth(),
        metrics: createServiceMetrics('test'),
        logger: createLogger('test', 'silent'),
        h2Server: 'connect',
        grpcUnaryLane,
        readMaxBytes: 1024,
      });
      base = `http://127.0.0.1:${server.port}`;
    });
    afterAll(() => server.close(100));

    it('gRPC (binary, JSON, gzip) and Connect over h2c, with the same answers and codes', async () => {
      for (const transport of [
        createGrpcTransport({ baseUrl: base }),
        createGrpcTransport({ baseUrl: base, useBinaryFormat: false }),
        createConnectTransport({ baseUrl: base, httpVersion: '2' }),
      ]) {
        const client = createClient(quotav1.QuotaService, transport);
        expect(
          await client.check({ agentId: 'a7' }, { headers: { 'x-tenant': 'acme' } }),
        ).toMatchObject({ allowed: true, limitName: 'agent:a7@acme' });
        expect(
          ConnectError.from(await client.check({ agentId: 'over' }).catch((e: unknown) => e)).code,
        ).toBe(Code.ResourceExhausted);
      }
      // The server accepts no compression (loopback or LAN): gzip is refused by connect-node, lane or not.
      const gzip = createClient(
        quotav1.QuotaService,
        createGrpcTransport({
          baseUrl: base,
          sendCompression: compressionGzip,
          acceptCompression: [compressionGzip],
        }),
      );
      const refused = ConnectError.from(
        await gzip.check({ agentId: 'a7' }).catch((e: unknown) => e),
      );
      expect(refused.code).toBe(Code.Unimplemented);
      expect(refused.rawMessage).toMatch(/unknown compression "gzip"/);
    });

    it('counts lane calls in the server metrics like any other call', async () => {
      const client = createClient(quotav1.QuotaService, createGrpcTransport({ baseUrl: base }));
      await client.check({ agentId: 'm1' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(
        /nethical_rpc_server_duration_seconds_count\{[^}]*method="Check"[^}]*code="ok"[^}]*\} [1-9]/,
      );
    });

    it('serves reflection (a streaming call) beside the lane', async () => {
      const client = createClient(
        reflectionv1.ServerReflection,
        createGrpcTransport({ baseUrl: base }),
      );
      async function* one() {
        yield create(reflectionv1.ServerReflectionRequestSchema, {
          messageRequest: { case: 'listServices', value: '' },
        });
      }
      for await (const res of client.serverReflectionInfo(one())) {
        expect(res.messageResponse.case).toBe('listServicesResponse');
        break;
      }
    });

    it('refuses an oversized and a malformed request with the client-error codes', async () => {
      const big = toBinary(
        quotav1.CheckRequestSchema,
        create(quotav1.CheckRequestSchema, { agentId: 'x'.repeat(5_000) }),
      );
      expect((await rawCall(base, checkPath, envelope(big))).status).toBe(Code.ResourceExhausted);
      expect(
        (await rawCall(base, checkPath, envelope(Buffer.from([0xff, 0xff, 0xff])))).status,
      ).toBe(Code.InvalidArgument);
      expect((await rawCall(base, checkPath, envelope(checkBytes, 1))).status).toBe(
        Code.InvalidArgument,
      );
      // An HTTP body encoding is refused before any RPC, lane or not.
      const encoded = await rawCall(base, checkPath, envelope(checkBytes), {
        'content-encoding': 'gzip',
      });
      expect(encoded.headers[':status']).toBe(415);
    });
  },
);
