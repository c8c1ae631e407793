/**
 * An acknowledged action is never lost: under steady load, kill -9 each of the six services in
 * turn (the supervisor restarts it), then kill -9 PostgreSQL itself (a private cluster, started
 * again after two seconds), and require every action answered 200 to be in the audit trail.
 * Real PostgreSQL and Redis; skipped locally without PostgreSQL binaries, mandatory in CI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  integrationMandatory,
  postgresBinDir,
  startPostgresServer,
  testRedisUrl,
  type PostgresServer,
} from '@nethical/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services, startMesh, type RunningMesh } from '../src/mesh';

const RATE = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const available = postgresBinDir() !== undefined;
if (!available && integrationMandatory)
  throw new Error('CI needs PostgreSQL binaries (initdb) for this test');

describe.skipIf(!available)('kill -9 under load (six services, then PostgreSQL)', () => {
  let database: PostgresServer;
  let mesh: RunningMesh;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'nethical-kill-'));
    database = await startPostgresServer(19_460);
    const redis = new URL(testRedisUrl);
    redis.pathname = '/12';
    mesh = await startMesh({
      env: {
        ...process.env,
        NETHICAL_LOG_LEVEL: 'warn',
        NETHICAL_STORAGE_DIR: stateDir,
        NETHICAL_DATABASE_URL: database.url,
        NETHICAL_REDIS_URL: redis.toString(),
        NETHICAL_REQUESTS_PER_SECOND: '100000',
      },
      basePort: 19_400,
      stateDir,
      supervise: true,
      readyTimeoutMs: 240_000,
    });
  }, 300_000);

  afterAll(async () => {
    await mesh?.stop();
    await database?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }, 120_000);

  it('loses no acknowledged action', async () => {
    const acknowledged: string[] = [];
    const outcomes = new Map<string, number>();
    let phase = 'warm-up';
    const servedIn = new Map<string, number>();
    let running = true;
    let sent = 0;
    const inFlight = new Set<Promise<void>>();
    const send = async (n: number) => {
      const actionId = `kill-${process.pid}-${n}`;
      const at = phase;
      let status = 0;
      try {
        const res = await fetch(`${mesh.gatewayUrl}/process_action`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            agent_id: `agent-${n % 50}`,
            action_id: actionId,
            action: `weekly status report ${n}`,
          }),
          signal: AbortSignal.timeout(15_000),
        });
        status = res.status;
        const body = (await res.json()) as { action_id?: string };
        if (res.status === 200) {
          expect(body.action_id).toBe(actionId);
          acknowledged.push(actionId);
          servedIn.set(at, (servedIn.get(at) ?? 0) + 1);
        }
      } catch {
        status = 0;
      }
      outcomes.set(`${at} ${status}`, (outcomes.get(`${at} ${status}`) ?? 0) + 1);
    };
    const load = (async () => {
      while (running) {
        const p = send(sent++);
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        await sleep(1000 / RATE);
      }
    })();

    /** Milliseconds from each kill until an action was acknowledged again. */
    const recovery: Record<string, number> = {};
    const recovered = async (what: string, killedAt: number) => {
      phase = `after ${what}`;
      // Clients (the gateway's reconnect backoff) may take a moment after the restart: wait for
      // the first acknowledgement, then keep the load on a little longer.
      const until = Date.now() + 30_000;
      while (!servedIn.get(phase) && Date.now() < until) await sleep(100);
      recovery[what] = Date.now() - killedAt;
      await sleep(1000);
    };
    await sleep(3000);
    for (const service of services) {
      phase = `kill ${service}`;
      const killedAt = Date.now();
      mesh.kill(service, 'SIGKILL');
      await sleep(500);
      await mesh.waitReady(service, 120_000);
      await recovered(service, killedAt);
    }
    phase = 'kill postgresql';
    const killedAt = Date.now();
    await database.kill('SIGKILL');
    await sleep(2000);
    await database.restart();
    await recovered('postgresql', killedAt);
    await sleep(5000);
    running = false;
    await load;
    await Promise.all([...inFlight]);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ action_id: string }>(
      'SELECT action_id FROM audit_action_ids WHERE action_id = ANY($1)',
      [acknowledged],
    );
    await client.end();
    const stored = new Set(rows.map((r) => r.action_id));
    const lost = acknowledged.filter((id) => !stored.has(id));
    console.log(
      `kill-under-load: ${sent} sent, ${acknowledged.length} acknowledged, ${lost.length} lost; acknowledged again after (ms) ${JSON.stringify(recovery)}; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    expect(lost).toEqual([]);
    // Every kill was survived: actions were acknowledged again after each restart.
    for (const service of [...services, 'postgresql']) {
      expect(
        servedIn.get(`after ${service}`) ?? 0,
        `acknowledged after ${service} restarted`,
      ).toBeGreaterThan(0);
    }
  }, 400_000);
});
