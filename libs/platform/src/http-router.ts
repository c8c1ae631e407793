import FindMyWay from 'find-my-way';
import type { HttpRoute } from './http-routes';

/** What a request line resolves to. */
export type RouteMatch =
  | { kind: 'route'; route: HttpRoute; params: Record<string, string>; query: URLSearchParams }
  /** The path exists, but not for this method (405, with the methods that are allowed). */
  | { kind: 'method-not-allowed'; allow: string[] }
  /** A percent-escape in the path does not decode (400). */
  | { kind: 'bad-url' }
  /** Not a plain route: the RPC handler (or its 404) answers. */
  | { kind: 'none' };

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'] as const;

/**
 * Plain HTTP routes matched by find-my-way (the router Fastify uses) instead of the hand-written
 * RegExp matcher this replaces: a malformed percent-escape in a path param called
 * `decodeURIComponent` outside any catch and killed the process (`GET /v1/audit/%`).
 * find-my-way decodes safely and reports bad escapes (`onBadUrl`), so that class of crash is gone.
 * HEAD is answered by GET routes.
 */
export function createHttpRouter(routes: HttpRoute[]): (method: string, rawUrl: string) => RouteMatch {
  const badUrl = Symbol('bad-url');
  const router = FindMyWay({
    ignoreTrailingSlash: false,
    caseSensitive: true,
    maxParamLength: 1024,
    onBadUrl: () => undefined,
  });
  const byHandler = new Map<unknown, HttpRoute>();
  for (const route of routes) {
    const handler = () => undefined;
    byHandler.set(handler, route);
    router.on(route.method, route.path, handler);
  }

  const find = (method: string, path: string) => {
    const found = router.find(method as FindMyWay.HTTPMethod, path);
    if (!found) return undefined;
    const route = byHandler.get(found.handler);
    // find-my-way answers a bad escape with a handler that calls onBadUrl.
    return route ? { route, params: found.params, searchParams: found.searchParams } : badUrl;
  };

  return (method, rawUrl) => {
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    // Only origin-form paths are routed; `*`, absolute-form and `//host` go to the RPC handler's 404.
    if (!path.startsWith('/') || path.startsWith('//')) return { kind: 'none' };
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const hit = find(method, path) ?? (method === 'HEAD' ? find('GET', path) : undefined);
    if (hit === badUrl) return { kind: 'bad-url' };
    if (hit) {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(hit.params)) if (v !== undefined) params[k] = v;
      return { kind: 'route', route: hit.route, params, query };
    }
    const allow = methods.filter((m) => {
      if (m === method) return false;
      const other = find(m, path);
      return other !== undefined && other !== badUrl;
    });
    if (allow.length > 0) return { kind: 'method-not-allowed', allow };
    return { kind: 'none' };
  };
}
