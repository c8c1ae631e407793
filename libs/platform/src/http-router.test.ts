import { describe, expect, it } from 'vitest';
import { createHttpRouter } from './http-router';
import type { HttpRoute } from './http-routes';

const noop = () => undefined;
const routes: HttpRoute[] = [
  { method: 'GET', path: '/v1/audit/:actionId', handler: noop },
  { method: 'GET', path: '/v1/audit', handler: noop },
  { method: 'POST', path: '/process_action', handler: noop },
  { method: 'POST', path: '/v1/admin/agents/:agentId/release', handler: noop },
];
const route = createHttpRouter(routes);

describe('createHttpRouter', () => {
  it('matches params percent-decoded and parses the query', () => {
    const m = route('GET', '/v1/audit/a%2Fb%20c?x=1&y=%41');
    expect(m).toMatchObject({ kind: 'route', params: { actionId: 'a/b c' } });
    expect(m.kind === 'route' && m.query.get('y')).toBe('A');
  });

  it.each(['/v1/audit/%', '/v1/audit/%E0%A4%A', '/v1/audit/%zz', '/v1/admin/agents/%C0/release'])(
    'answers a malformed escape (%s) as a bad URL instead of throwing',
    (path) => {
      expect(route('GET', path).kind === 'bad-url' || route('POST', path).kind === 'bad-url').toBe(true);
    },
  );

  it('tells a wrong method from an unknown path', () => {
    expect(route('GET', '/process_action')).toEqual({ kind: 'method-not-allowed', allow: ['POST'] });
    expect(route('DELETE', '/v1/audit/x')).toMatchObject({ kind: 'method-not-allowed' });
    expect(route('POST', '/nethical.gateway.v1.GovernanceService/ProcessAction')).toEqual({ kind: 'none' });
  });

  it('answers HEAD from GET routes and leaves odd request targets to the RPC handler', () => {
    expect(route('HEAD', '/v1/audit')).toMatchObject({ kind: 'route' });
    for (const target of ['*', '//evil/v1/audit', 'http://x/v1/audit', '']) expect(route('GET', target)).toEqual({ kind: 'none' });
  });

  it('never throws on random input', () => {
    const chars = '/%?#&=:.aZ09\u00e9\u0000 ';
    for (let i = 0; i < 4_000; i++) {
      let s = '/';
      const n = (i * 7) % 24;
      for (let j = 0; j < n; j++) s += chars[(i * 31 + j * 17) % chars.length];
      for (const m of ['GET', 'POST', 'BREW']) expect(() => route(m, s)).not.toThrow();
    }
  });
});
