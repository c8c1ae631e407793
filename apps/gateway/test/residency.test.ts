import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { ActionType, gatewayv1 } from '@nethical/contracts';
import { describe, expect, it } from 'vitest';
import type { ActionRequest } from '../src/domain/action-request';
import type { ActionScope } from '../src/domain/process-action';
import {
  createResidencyRouter,
  credentialsOf,
  forwardedFrom,
  parseRegionGateways,
  parseTenantHomes,
  placementOf,
} from '../src/domain/residency';

const homes = parseTenantHomes('acme-eu=eu-west-1:EU_GDPR, acme-us=us-east-1');
const gateways = parseRegionGateways('eu-west-1=http://eu:9010,us-east-1=http://us:9000');

const request = (tenantId: string, actionId = ''): ActionRequest => ({
  agentId: 'a1',
  action: 'hello',
  actionType: ActionType.MESSAGE,
  actionId,
  context: undefined,
  cohort: '',
  regionId: 'ap-south-1',
  tenantId,
});

describe('tenant home regions', () => {
  it('parses the map and refuses bad entries, naming the variable', () => {
    expect(homes.get('acme-eu')).toEqual({ region: 'eu-west-1', residency: 'EU_GDPR' });
    expect(homes.get('acme-us')).toEqual({ region: 'us-east-1' });
    expect(parseTenantHomes(undefined).size).toBe(0);
    expect(() => parseTenantHomes('acme')).toThrow(
      /NETHICAL_TENANT_HOME_REGIONS: "acme" is not tenant=region/,
    );
    expect(() => parseTenantHomes('acme=us-east-1:EU_GDPR')).toThrow(/home must be an EU region/);
    expect(() => parseTenantHomes('acme=eu-west-1:HIPAA')).toThrow(/unknown residency "HIPAA"/);
    expect(() => parseTenantHomes('a=eu-west-1,a=us-east-1')).toThrow(/listed twice/);
    expect(() => parseRegionGateways('eu-west-1=ftp://x')).toThrow(/NETHICAL_REGION_GATEWAYS/);
  });

  it('places an action: here, forwarded home, or refused', () => {
    expect(placementOf('other', 'ap-south-1', homes, gateways, undefined)).toEqual({
      kind: 'local',
    });
    expect(placementOf('acme-eu', 'eu-west-1', homes, gateways, undefined)).toEqual({
      kind: 'local',
    });
    expect(placementOf('acme-eu', 'ap-south-1', homes, gateways, undefined)).toMatchObject({
      kind: 'forward',
      url: 'http://eu:9010',
    });
    // Forwarded once already but not home here: a resident tenant is refused, never served or forwarded again.
    expect(placementOf('acme-eu', 'ap-south-1', homes, gateways, 'us-east-1')).toMatchObject({
      kind: 'refuse',
    });
    expect(placementOf('acme-us', 'ap-south-1', homes, gateways, 'eu-west-1')).toEqual({
      kind: 'local',
    });
    // No address for the home region.
    expect(placementOf('acme-eu', 'ap-south-1', homes, new Map(), undefined)).toMatchObject({
      kind: 'refuse',
    });
    expect(placementOf('acme-us', 'ap-south-1', homes, new Map(), undefined)).toEqual({
      kind: 'local',
    });
  });

  it('reads the forwarding headers: credentials pass on, the forwarder is named', () => {
    const h = new Headers({ authorization: 'Bearer k', 'x-nethical-forwarded-from': 'us-east-1' });
    const scope = { header: (name: string) => h.get(name) };
    expect(credentialsOf(scope)).toEqual({ authorization: 'Bearer k' });
    expect(forwardedFrom(scope)).toBe('us-east-1');
    expect(forwardedFrom({})).toBeUndefined();
  });
});

describe('the residency router', () => {
  const answer = (region: string) => ({
    response: create(gatewayv1.ProcessActionResponseSchema, { actionId: region }),
  });
  const router = (
    forward: (
      url: string,
      req: ActionRequest,
      scope: ActionScope,
    ) => Promise<{ response: gatewayv1.ProcessActionResponse }>,
  ) => {
    const calls: { where: string; req: ActionRequest }[] = [];
    const route = createResidencyRouter({
      ownRegion: 'ap-south-1',
      homes,
      gateways,
      local: async (req) => {
        calls.push({ where: 'local', req });
        return answer('local');
      },
      forward: async (url, req, scope) => {
        calls.push({ where: url, req });
        return forward(url, req, scope);
      },
      newActionId: () => 'generated-id',
    });
    return { route, calls };
  };
  const down = async (): Promise<never> => {
    throw new ConnectError('connect ECONNREFUSED', Code.Unavailable);
  };

  it('forwards a tenant homed elsewhere with one action id and its home region', async () => {
    const { route, calls } = router(async () => answer('eu'));
    expect((await route(request('acme-eu'))).response.actionId).toBe('eu');
    expect(calls).toEqual([
      {
        where: 'http://eu:9010',
        req: { ...request('acme-eu'), actionId: 'generated-id', regionId: 'eu-west-1' },
      },
    ]);
  });

  it('fails closed for an EU_GDPR tenant whose home is down: 503 naming tenant_id, nothing served here', async () => {
    const { route, calls } = router(down);
    const err = await route(request('acme-eu')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.Unavailable);
    expect((err as ConnectError).rawMessage).toMatch(
      /^tenant_id: tenant "acme-eu" is resident in eu-west-1 \(EU_GDPR\)/,
    );
    expect(calls.map((c) => c.where)).toEqual(['http://eu:9010']);
  });

  it('fails over for any other tenant: served here, in this region, under the same action id', async () => {
    const { route, calls } = router(down);
    expect((await route(request('acme-us', 'id-1'))).response.actionId).toBe('local');
    expect(calls.map((c) => c.where)).toEqual(['http://us:9000', 'local']);
    expect(calls[1]!.req).toMatchObject({ actionId: 'id-1', regionId: 'ap-south-1' });
  });

  it("passes the home region's own refusals through (bad input, quota), without failing over", async () => {
    const { route, calls } = router(async () => {
      throw new ConnectError('rate limit', Code.ResourceExhausted);
    });
    const err = await route(request('acme-us')).catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.ResourceExhausted);
    expect(calls).toHaveLength(1);
  });
});
