/**
 * Home regions and EU residency at ingress, on two real regions (two six-service meshes, each
 * with its own PostgreSQL database, one Redis): a tenant's action sent to the wrong region is
 * forwarded to its home region and stored only there; with the EU region down, an EU_GDPR
 * tenant gets 503 and nothing is recorded anywhere, while a tenant without residency fails over.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scratchDatabase, testRedisUrl } from '@nethical/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMesh, type RunningMesh } from '../src/mesh';

const KEY = 'residency-e2e-key-0123456789';
/** An agent key bound to the tenant acme-eu (NETHICAL_API_KEY_TENANTS). */
const EU_KEY = 'residency-e2e-acme-eu-key';
const regions = { 'us-east-1': 19_500, 'eu-west-1': 19_520 } as const;
type Region = keyof typeof regions;

const databases = {
  'us-east-1': await scratchDatabase('nethical_residency_us'),
  'eu-west-1': await scratchDatabase('nethical_residency_eu'),
};

describe.skipIf(!databases['us-east-1'] || !databases['eu-west-1'])(
  'home regions and EU residency (two regions)',
  () => {
    const dbUrl = (r: Region) => databases[r]!.url;
    const meshes = {} as Record<Region, RunningMesh>;
    let stateDir: string;

    const send = async (region: Region, tenant: string, protocol: 'http' | 'connect' = 'http') => {
      const actionId = `res-${tenant}-${randomUUID()}`;
      const url =
        protocol === 'http'
          ? `http://127.0.0.1:${regions[region]}/process_action`
          : `http://127.0.0.1:${regions[region]}/nethical.gateway.v1.GovernanceService/ProcessAction`;
      const body =
        protocol === 'http'
          ? {
              agent_id: 'agent-1',
              tenant_id: tenant,
              action_id: actionId,
              action: 'weekly status report',
            }
          : { agentId: 'agent-1', tenantId: tenant, actionId, action: 'weekly status report' };
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify(body),
      });
      return { actionId, status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    /** Where an action id was stored: the regions whose audit trail holds it, with its region_id. */
    const storedIn = async (actionId: string) => {
      const found: Record<string, string> = {};
      for (const r of Object.keys(regions) as Region[]) {
        const c = new pg.Client({ connectionString: dbUrl(r) });
        await c.connect();
        const { rows } = await c.query<{ region_id: string }>(
          'SELECT region_id FROM audit_records WHERE action_id = $1',
          [actionId],
        );
        await c.end();
        if (rows[0]) found[r] = rows[0].region_id;
      }
      return found;
    };

    beforeAll(async () => {
      stateDir = mkdtempSync(path.join(tmpdir(), 'nethical-residency-'));
      const redis = new URL(testRedisUrl);
      redis.pathname = '/10';
      const gateways = Object.entries(regions)
        .map(([r, port]) => `${r}=http://127.0.0.1:${port}`)
        .join(',');
      const started = await Promise.all(
        (Object.keys(regions) as Region[]).map((r) =>
          startMesh({
            env: {
              ...process.env,
              NETHICAL_LOG_LEVEL: 'warn',
              NETHICAL_REGION_ID: r,
              NETHICAL_STORAGE_DIR: path.join(stateDir, r),
              NETHICAL_DATABASE_URL: dbUrl(r),
              NETHICAL_REDIS_URL: redis.toString(),
              NETHICAL_API_KEYS: KEY,
              NETHICAL_API_KEY_TENANTS: `acme-eu:${EU_KEY}`,
              NETHICAL_TENANT_HOME_REGIONS:
                'acme-eu=eu-west-1:EU_GDPR,globex-eu=eu-west-1,acme-us=us-east-1',
              NETHICAL_REGION_GATEWAYS: gateways,
            },
            basePort: regions[r],
            stateDir: path.join(stateDir, r),
            readyTimeoutMs: 240_000,
          }).then((m) => [r, m] as const),
        ),
      );
      for (const [r, m] of started) meshes[r] = m;
    }, 300_000);

    afterAll(async () => {
      await Promise.all(Object.values(meshes).map((m) => m.stop()));
      for (const d of Object.values(databases)) await d?.drop();
      rmSync(stateDir, { recursive: true, force: true });
    }, 120_000);

    it("forwards an action to its tenant's home region and stores it only there (HTTP and Connect)", async () => {
      for (const protocol of ['http', 'connect'] as const) {
        const eu = await send('us-east-1', 'acme-eu', protocol);
        expect(eu.status, JSON.stringify(eu.body)).toBe(200);
        expect(await storedIn(eu.actionId)).toEqual({ 'eu-west-1': 'eu-west-1' });
        const us = await send('eu-west-1', 'acme-us', protocol);
        expect(us.status, JSON.stringify(us.body)).toBe(200);
        expect(await storedIn(us.actionId)).toEqual({ 'us-east-1': 'us-east-1' });
      }
      // A tenant without a home region is served where it arrives.
      const other = await send('us-east-1', 'initech');
      expect(other.status).toBe(200);
      expect(await storedIn(other.actionId)).toEqual({ 'us-east-1': 'us-east-1' });
      // Credentials pass on, but are still required: no key, no action, in either region.
      const anonymous = await fetch(`http://127.0.0.1:${regions['us-east-1']}/process_action`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent_id: 'a', tenant_id: 'acme-eu', action: 'hello' }),
      });
      expect(anonymous.status).toBe(401);
    }, 60_000);

    it("makes a bound key's tenant the action's: a missing tenant_id becomes it, another one is refused", async () => {
      const post = async (body: Record<string, unknown>, path = '/process_action') => {
        const res = await fetch(`http://127.0.0.1:${regions['us-east-1']}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${EU_KEY}` },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      // No tenant_id: the key's tenant, so residency sends it home to eu-west-1.
      const own = `bound-${randomUUID()}`;
      const ok = await post({ agent_id: 'agent-b', action_id: own, action: 'weekly status report' });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(await storedIn(own)).toEqual({ 'eu-west-1': 'eu-west-1' });
      const c = new pg.Client({ connectionString: dbUrl('eu-west-1') });
      await c.connect();
      const { rows } = await c.query<{ tenant_id: string }>(
        'SELECT tenant_id FROM audit_records WHERE action_id = $1',
        [own],
      );
      await c.end();
      expect(rows[0]?.tenant_id).toBe('acme-eu');
      // Claiming another tenant: refused before anything is charged or stored, on both protocols.
      const claimed = `claimed-${randomUUID()}`;
      const refused = await post({ agent_id: 'agent-b', tenant_id: 'initech', action_id: claimed, action: 'hello' });
      expect(refused.status).toBe(403);
      expect(String(refused.body.message)).toMatch(/^tenant_id: this API key is bound to tenant "acme-eu"/);
      const overConnect = await post(
        { agentId: 'agent-b', tenantId: 'acme-us', actionId: claimed, action: 'hello' },
        '/nethical.gateway.v1.GovernanceService/ProcessAction',
      );
      expect(overConnect.status).toBe(403);
      expect(overConnect.body.code).toBe('permission_denied');
      expect(await storedIn(claimed)).toEqual({});
    }, 60_000);

    it('with the EU region down: an EU_GDPR tenant gets 503 and no record anywhere; another tenant fails over', async () => {
      await meshes['eu-west-1'].stop();
      const eu = await send('us-east-1', 'acme-eu');
      expect(eu.status).toBe(503);
      expect(String(eu.body.message)).toMatch(
        /^tenant_id: tenant "acme-eu" is resident in eu-west-1 \(EU_GDPR\)/,
      );
      const overConnect = await send('us-east-1', 'acme-eu', 'connect');
      expect(overConnect.status).toBe(503);
      const us = new pg.Client({ connectionString: dbUrl('us-east-1') });
      await us.connect();
      const { rows } = await us.query<{ n: string }>(
        "SELECT count(*) AS n FROM audit_records WHERE tenant_id = 'acme-eu' OR action_id = ANY($1)",
        [[eu.actionId, overConnect.actionId]],
      );
      await us.end();
      expect(Number(rows[0]!.n)).toBe(0);

      const failover = await send('us-east-1', 'globex-eu');
      expect(failover.status, JSON.stringify(failover.body)).toBe(200);
      const us2 = new pg.Client({ connectionString: dbUrl('us-east-1') });
      await us2.connect();
      const stored = await us2.query<{ region_id: string }>(
        'SELECT region_id FROM audit_records WHERE action_id = $1',
        [failover.actionId],
      );
      await us2.end();
      expect(stored.rows).toEqual([{ region_id: 'us-east-1' }]);

      const metrics = await (
        await fetch(`http://127.0.0.1:${regions['us-east-1']}/metrics`)
      ).text();
      expect(metrics).toMatch(
        /nethical_region_routed_total\{to="eu-west-1",outcome="refused",service="gateway"\} 2/,
      );
      expect(metrics).toMatch(
        /nethical_region_routed_total\{to="eu-west-1",outcome="failed_over",service="gateway"\} 1/,
      );
      // Forwarded: acme-eu over HTTP and Connect, and the bound key's action without a tenant_id.
      expect(metrics).toMatch(
        /nethical_region_routed_total\{to="eu-west-1",outcome="forwarded",service="gateway"\} 3/,
      );
    }, 60_000);
  },
);
