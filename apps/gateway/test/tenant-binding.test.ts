import { create } from '@bufbuild/protobuf';
import { ActionType, gatewayv1 } from '@nethical/contracts';
import { keyTenantBindings, PermissionDeniedError } from '@nethical/platform';
import { describe, expect, it } from 'vitest';
import type { ActionRequest } from '../src/domain/action-request';
import { createAuthenticator } from '../src/domain/auth';
import type { ActionProcessor } from '../src/domain/process-action';
import { bindTenants } from '../src/domain/tenant-binding';

const request = (tenantId: string): ActionRequest => ({
  agentId: 'a1',
  action: 'hello',
  actionType: ActionType.MESSAGE,
  actionId: '',
  context: undefined,
  cohort: '',
  regionId: 'us-east-1',
  tenantId,
});

const headers = (key?: string) => (name: string) => (name === 'authorization' && key ? `Bearer ${key}` : null);

describe('API keys bound to tenants', () => {
  const auth = createAuthenticator(['free-key'], ['admin-key'], keyTenantBindings('acme:acme-key==, globex:k:with:colons').bindings);

  it('parses <tenant>:<key> (a key may hold = and :) and names a malformed entry by position only', () => {
    expect([...keyTenantBindings(' acme:acme-key==, globex:k:with:colons ,').bindings]).toEqual([
      ['acme-key==', 'acme'],
      ['k:with:colons', 'globex'],
    ]);
    const { problems } = keyTenantBindings('acme:k1,acme-key-without-tenant,:key,acme:,beta:k1');
    expect(problems).toEqual([
      'entry 2 is not <tenant>:<key>',
      'entry 3 is not <tenant>:<key>',
      'entry 4 is not <tenant>:<key>',
      'entry 5 binds a key already bound to tenant acme',
    ]);
  });

  it('accepts a bound key as an agent key and tells its tenant; other keys have none', () => {
    const get = (key: string) => ({ get: headers(key) });
    expect(() => auth.check('agent', get('acme-key=='))).not.toThrow();
    expect(() => auth.check('operator', get('acme-key=='))).toThrow(PermissionDeniedError);
    expect(auth.tenantOf(headers('acme-key=='))).toBe('acme');
    expect(auth.tenantOf(headers('k:with:colons'))).toBe('globex');
    expect(auth.tenantOf(headers('free-key'))).toBeUndefined();
    expect(auth.tenantOf(headers('acme-key'))).toBeUndefined();
    expect(auth.tenantOf(headers())).toBeUndefined();
    expect(auth.tenantOf((n) => (n === 'x-api-key' ? 'acme-key==' : null))).toBe('acme');
  });

  it('gives an action without a tenant the key\'s, refuses another, and leaves unbound keys alone', async () => {
    const seen: string[] = [];
    const next: ActionProcessor = async (req) => {
      seen.push(req.tenantId);
      return { response: create(gatewayv1.ProcessActionResponseSchema, {}) };
    };
    const bound = bindTenants(next, { tenantOf: (h) => auth.tenantOf(h), defaultTenant: 'default' });
    await bound(request('default'), { header: headers('acme-key==') });
    await bound(request('acme'), { header: headers('acme-key==') });
    await bound(request('initech'), { header: headers('free-key') });
    await bound(request('default'), {});
    expect(seen).toEqual(['acme', 'acme', 'initech', 'default']);
    await expect(bound(request('initech'), { header: headers('acme-key==') })).rejects.toThrow(
      /^tenant_id: this API key is bound to tenant "acme" and may not act for "initech"$/,
    );
    await expect(bound(request('globex'), { header: headers('acme-key==') })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    expect(seen).toHaveLength(4);
  });
});
