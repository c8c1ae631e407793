import type { HttpRoute, NodeRequest, NodeResponse } from '@nethical/platform';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ServerResponse } from 'node:http';

/** One file of the built console, held in memory (the whole console is a few hundred kB). */
interface ConsoleFile {
  body: Buffer;
  /** gzip of the body, made once at load (the script is ~200 kB, ~62 kB gzipped). */
  gzip: Buffer;
  type: string;
  etag: string;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page may load only its own script and style and talk only to gateways (`?gateway=` may
 * name another one, so connect-src allows http(s) URLs); no inline code, no framing.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' http: https:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Read the built console (`dist/console`, see apps/cli/src/bundle-console.ts) into memory.
 * Only the files found here are ever served, so no request path can reach another file.
 * Returns undefined when the folder does not exist (not built).
 */
export function loadConsoleFiles(dir: string): Map<string, ConsoleFile> | undefined {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  const files = new Map<string, ConsoleFile>();
  for (const name of readdirSync(dir)) {
    const type = types[path.extname(name)];
    const full = path.join(dir, name);
    if (!type || !statSync(full).isFile()) continue;
    const body = readFileSync(full);
    files.set(name, {
      body,
      gzip: gzipSync(body, { level: 9 }),
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    });
  }
  return files.has('index.html') ? files : undefined;
}

function send(
  req: NodeRequest,
  res: NodeResponse,
  status: number,
  headers: Record<string, string | number>,
  body?: Buffer | string,
): void {
  const out = res as ServerResponse;
  out.writeHead(status, headers);
  if (req.method === 'HEAD' || body === undefined) out.end();
  else out.end(body);
}

/**
 * `/console` and `/console/*`: the browser console as static files, revalidated by ETag (file
 * names are not content-hashed, so every load asks, and a 304 costs a few bytes).
 */
export function consoleRoutes(files: Map<string, ConsoleFile> | undefined): HttpRoute[] {
  const serve: HttpRoute['handler'] = (req, res, params) => {
    const name = params['*'] || 'index.html';
    const file = files?.get(name);
    if (!file) {
      const message = files
        ? `no console file ${name}`
        : 'the console is not built: `npm run build:console` (npm start builds it)';
      return send(req, res, 404, { 'content-type': 'text/plain; charset=utf-8' }, message);
    }
    const headers: Record<string, string | number> = {
      'content-type': file.type,
      etag: file.etag,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      vary: 'accept-encoding',
    };
    if (name === 'index.html') headers['content-security-policy'] = CSP;
    if (req.headers['if-none-match'] === file.etag) return send(req, res, 304, headers);
    // A plain substring test is enough here: every browser sends gzip, and q=0 is not seen in practice.
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? file.gzip : file.body;
    if (gzip) headers['content-encoding'] = 'gzip';
    send(req, res, 200, { ...headers, 'content-length': body.length }, body);
  };
  return [
    // Relative asset URLs in index.html need the trailing slash.
    {
      method: 'GET',
      path: '/console',
      handler: (req, res) => send(req, res, 308, { location: '/console/' }),
    },
    { method: 'GET', path: '/console/*', handler: serve },
  ];
}
