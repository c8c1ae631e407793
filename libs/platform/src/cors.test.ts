import { create } from '@bufbuild/protobuf';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { healthv1 } from '@nethical/contracts';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCors } from './cors';

const allowed = 'https://console.example';

/** A real HTTP server: the CORS handler in front of connect-node (Connect + gRPC-web). */
async function serve(origins: string[]) {
  const cors = createCors(origins);
  const rpc = connectNodeAdapter({
    routes: (router) =>
      router.service(healthv1.Health, {
        check: () =>
          create(healthv1.HealthCheckResponseSchema, {
            status: healthv1.HealthCheckResponse_ServingStatus.SERVING,
          }),
      }),
  });
  const server = http.createServer((req, res) => {
    if (cors?.(req, res)) return;
    rpc(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const checkPath = '/grpc.health.v1.Health/Check';
const list = (v: string | null) => (v ?? '').split(',').map((s) => s.trim().toLowerCase());

describe('CORS for Connect and gRPC-web', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    s = await serve([allowed, 'http://127.0.0.1:48123']);
  });
  afterAll(() => new Promise((r) => s.server.close(r)));

  it('answers a Connect preflight from an allowed origin', async () => {
    const res = await fetch(s.base + checkPath, {
      method: 'OPTIONS',
      headers: {
        origin: allowed,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,connect-protocol-version,authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(list(res.headers.get('access-control-allow-methods'))).toEqual(
      expect.arrayContaining(['post', 'get']),
    );
    expect(list(res.headers.get('access-control-allow-headers'))).toEqual(
      expect.arrayContaining([
        'content-type',
        'connect-protocol-version',
        'connect-timeout-ms',
        'x-grpc-web',
        'x-user-agent',
        'authorization',
        'x-api-key',
      ]),
    );
    expect(res.headers.get('access-control-max-age')).toBe('7200');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('exposes the headers Connect and gRPC-web need on the actual response', async () => {
    const connect = await fetch(s.base + checkPath, {
      method: 'POST',
      headers: {
        origin: allowed,
        'content-type': 'application/json',
        'connect-protocol-version': '1',
      },
      body: '{}',
    });
    expect(connect.status).toBe(200);
    expect(await connect.json()).toEqual({ status: 'SERVING' });
    expect(connect.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(list(connect.headers.get('access-control-expose-headers'))).toEqual(
      expect.arrayContaining([
        'grpc-status',
        'grpc-message',
        'grpc-status-details-bin',
        'ratelimit',
        'retry-after',
      ]),
    );
    // gRPC-web: an empty message in one data frame.
    const grpcWeb = await fetch(s.base + checkPath, {
      method: 'POST',
      headers: { origin: allowed, 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1' },
      body: new Uint8Array([0, 0, 0, 0, 0]),
    });
    expect(grpcWeb.status).toBe(200);
    expect(grpcWeb.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(list(grpcWeb.headers.get('access-control-expose-headers'))).toContain('grpc-status');
  });

  it('gives another origin no access-control-allow-origin (the browser then refuses)', async () => {
    const pre = await fetch(s.base + checkPath, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(s.base + checkPath, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows any origin with *, and is off without origins', async () => {
    const any = await serve(['*']);
    const res = await fetch(any.base + checkPath, {
      method: 'OPTIONS',
      headers: { origin: 'https://x.example', 'access-control-request-method': 'POST' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    any.server.close();
    expect(createCors([])).toBeUndefined();
  });
});
