import { cors as connectCors } from '@connectrpc/connect';
import corsMiddleware from 'cors';
import type { NodeRequest, NodeResponse } from './http-routes';

/** Headers a browser client of this server may send beyond Connect's own: the API keys. */
const appRequestHeaders = ['authorization', 'x-api-key'];
/** Headers a browser client may read beyond Connect's own: quota answers. */
const appResponseHeaders = ['ratelimit', 'ratelimit-policy', 'retry-after'];

/**
 * Answers a request's CORS part: sets the CORS response headers for an allowed origin, and
 * answers a preflight (`OPTIONS`) itself with 204. Returns true when the request has been
 * answered (a preflight), false when the caller should go on handling it.
 */
export type CorsHandler = (req: NodeRequest, res: NodeResponse) => boolean;

/**
 * CORS for browsers calling Connect, gRPC-web and the plain HTTP API from other origins
 * (`NETHICAL_CORS_ORIGINS`: exact origins such as `https://console.example`, or `*`). Built on
 * the `cors` middleware (expressjs) with the header lists Connect publishes (`cors` from
 * @connectrpc/connect), plus the API-key and rate-limit headers. No origins: undefined, no CORS
 * headers at all and no preflight answered (same-origin pages such as /console need none).
 * Credentials (cookies) are never allowed: the API takes keys in headers.
 */
export function createCors(origins: readonly string[]): CorsHandler | undefined {
  if (origins.length === 0) return undefined;
  const middleware = corsMiddleware({
    origin: origins.includes('*') ? '*' : [...origins],
    methods: [...new Set([...connectCors.allowedMethods, 'GET', 'POST'])],
    allowedHeaders: [...connectCors.allowedHeaders, ...appRequestHeaders],
    exposedHeaders: [...connectCors.exposedHeaders, ...appResponseHeaders],
    credentials: false,
    // Chromium caps a cached preflight at two hours.
    maxAge: 7200,
    optionsSuccessStatus: 204,
  });
  return (req, res) => {
    let passed = false;
    // With static options the middleware runs synchronously: it either calls next (an actual
    // request, headers set) or ends the response (a preflight).
    middleware(req as never, res as never, () => {
      passed = true;
    });
    return !passed;
  };
}
