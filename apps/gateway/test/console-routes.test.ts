import {
  createCors,
  createHealth,
  createLogger,
  createServiceMetrics,
  startServer,
  type RunningServer,
} from '@nethical/platform';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoutes, loadConsoleFiles } from '../src/routes/console-routes';

/** The gateway's server (platform startServer) with the console routes and CORS, on a real port. */
async function start(dir: string | undefined, origins: string[] = []) {
  return startServer({
    name: 'console-test',
    host: '127.0.0.1',
    port: 0,
    services: [],
    routes: () => undefined,
    httpRoutes: consoleRoutes(dir ? loadConsoleFiles(dir) : undefined),
    health: createHealth(),
    metrics: createServiceMetrics('console-test'),
    logger: createLogger('test', 'silent'),
    cors: createCors(origins),
  });
}

describe('/console', () => {
  let dir: string;
  let server: RunningServer;
  let base: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'console-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(path.join(dir, 'console.js'), 'export {};');
    writeFileSync(path.join(dir, 'secret.key'), 'not served: unknown type');
    mkdirSync(path.join(dir, 'sub'));
    server = await start(dir, ['https://console.example']);
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close(100);
    rmSync(dir, { recursive: true, force: true });
  });

  it('redirects /console to /console/ and serves index.html there with a CSP', async () => {
    const moved = await fetch(`${base}/console`, { redirect: 'manual' });
    expect(moved.status).toBe(308);
    expect(moved.headers.get('location')).toBe('/console/');
    const page = await fetch(`${base}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>t</title>');
  });

  it('serves the script with its type, and 304 for a matching ETag', async () => {
    const js = await fetch(`${base}/console/console.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const etag = js.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const again = await fetch(`${base}/console/console.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const raw = await fetch(`${base}/console/console.js`, {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(raw.headers.get('content-encoding')).toBeNull();
    expect(await raw.text()).toBe('export {};');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(await js.text()).toBe('export {};');
    const head = await fetch(`${base}/console/console.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('serves nothing outside the built files', async () => {
    for (const p of [
      '/console/secret.key',
      '/console/sub',
      '/console/..%2Fpackage.json',
      '/console/%2e%2e/%2e%2e/package.json',
      '/console/nope.js',
    ]) {
      const res = await fetch(base + p);
      expect(res.status, p).toBe(404);
    }
  });

  it('answers a CORS preflight before routing, for an allowed origin', async () => {
    const res = await fetch(`${base}/nethical.gateway.v1.GovernanceService/ProcessAction`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://console.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://console.example');
    const page = await fetch(`${base}/console/`, {
      headers: { origin: 'https://console.example' },
    });
    expect(page.headers.get('access-control-allow-origin')).toBe('https://console.example');
  });

  it('says how to build it when the console is not built', async () => {
    const bare = await start(path.join(dir, 'missing'));
    try {
      const res = await fetch(`http://127.0.0.1:${bare.port}/console/`);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain('npm run build:console');
    } finally {
      await bare.close(100);
    }
  });
});
