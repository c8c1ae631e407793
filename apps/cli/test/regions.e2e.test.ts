/**
 * `nethical regions up|status|stop|start|down` end to end (issue 15): three full meshes on one
 * shared Redis Cluster, one PostgreSQL database each, HAProxy in front. Kills a whole region with
 * SIGKILL (every process, pids from `status --json`) while actions flow through the load balancer,
 * measures the time until they are served again, brings the region back, and checks that its
 * Merkle log continues consistently (a consistency proof from before the kill to after verifies).
 *
 * Heavy (18 service processes, 6 Redis nodes; 3-5 minutes on 2 cores): runs only with
 * NETHICAL_TEST_REGIONS=1 (`.ci/regions.sh`). Ports 27010-27039, cluster 17400+ (bus +10000),
 * HAProxy 27090 (override with NETHICAL_TEST_REGIONS_LB_PORT), databases h15_*. All below Linux's
 * ephemeral range (32768+), so no client socket can be holding one when a region restarts.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { fromBase64, parseCheckpoint, verifyConsistency } from '@nethical/merkle';
import { testDatabaseUrl } from '@nethical/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionsStatus } from '../src/commands/regions/regions-state';
import { repoRoot } from '../src/mesh';

const run = promisify(execFile);
const enabled = process.env.NETHICAL_TEST_REGIONS === '1';
const stateDir = '/tmp/h15-regions-e2e';
const lbPort = Number(process.env.NETHICAL_TEST_REGIONS_LB_PORT ?? 27090);
const lb = `http://127.0.0.1:${lbPort}`;
const cli = (...args: string[]) =>
  run(
    process.execPath,
    [path.join(repoRoot, 'apps/cli/bin/nethical.mjs'), 'regions', ...args, '--state-dir', stateDir],
    {
      cwd: repoRoot,
      timeout: 900_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
const status = async () => JSON.parse((await cli('status', '--json')).stdout) as RegionsStatus;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 0;
async function act(base: string, agent = `agent-${seq % 7}`): Promise<number> {
  try {
    const res = await fetch(`${base}/process_action`, {
      method: 'POST',
      body: JSON.stringify({ agent_id: agent, action: `hello ${++seq}` }),
      signal: AbortSignal.timeout(5000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function checkpoint(gateway: string): Promise<{ size: number; root: Uint8Array }> {
  const text = await (await fetch(`${gateway}/v1/merkle/checkpoint`)).text();
  const cp = parseCheckpoint(`${text.split('\n\n')[0]}\n`);
  return { size: cp.size, root: cp.rootHash };
}

describe.skipIf(!enabled)('nethical regions (three regions, HAProxy, Redis Cluster)', () => {
  beforeAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
    await cli(
      'up',
      '--base-port',
      '27010',
      '--redis-port',
      '17400',
      '--lb-port',
      String(lbPort),
      '--database-url',
      testDatabaseUrl,
      '--database-prefix',
      `h15_e2e_${Date.now()}_`,
    );
  }, 900_000);
  afterAll(async () => {
    await cli('down').catch(() => undefined);
  }, 120_000);

  it('serves through the load balancer, survives kill -9 of a whole region, and the region rejoins', async () => {
    // On a saturated machine a gateway's /readyz (it probes every downstream) can flap: wait.
    let s = await status();
    for (let i = 0; i < 30 && !(s.lbReady && s.regions.every((r) => r.ready)); i++) {
      await sleep(1000);
      s = await status();
    }
    expect(s.phase).toBe('ready');
    expect(s.lbReady).toBe(true);
    expect(s.regions.map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1', 'ap-south-1']);
    for (const r of s.regions) {
      expect(r.ready).toBe(true);
      expect(Object.keys(r.pids)).toHaveLength(6);
      expect(Object.values(r.alive).every(Boolean)).toBe(true);
    }
    for (let i = 0; i < 20; i++) expect(await act(lb)).toBe(200);

    const us = s.regions[0]!;
    for (let i = 0; i < 5; i++) expect(await act(us.gatewayUrl)).toBe(200);
    await sleep(1500); // the anchor signs a checkpoint at least every second
    const before = await checkpoint(us.gatewayUrl);
    expect(before.size).toBeGreaterThan(0);

    // Kill every process of us-east-1 at once; keep sending through the load balancer.
    for (const pid of Object.values(us.pids)) process.kill(pid, 'SIGKILL');
    const killedAt = performance.now();
    const outcomes: { t: number; status: number }[] = [];
    while (performance.now() - killedAt < 8000) {
      outcomes.push({ t: performance.now() - killedAt, status: await act(lb) });
      await sleep(25);
    }
    const failures = outcomes.filter((o) => o.status !== 200);
    const lastFailure = failures.length === 0 ? 0 : Math.max(...failures.map((o) => o.t));
    process.stderr.write(
      `[regions e2e] after kill -9 of us-east-1: ${outcomes.length} actions, ${failures.length} failed, last failure at ${Math.round(lastFailure)} ms\n`,
    );
    expect(lastFailure).toBeLessThan(3000);

    // Bring it back; its Merkle log continues from where it was.
    await cli('start', 'us-east-1');
    const back = (await status()).regions[0]!;
    expect(back.ready).toBe(true);
    for (let i = 0; i < 5; i++) expect(await act(back.gatewayUrl)).toBe(200);
    let after = await checkpoint(back.gatewayUrl);
    for (let i = 0; i < 20 && after.size < before.size + 5; i++) {
      await sleep(500);
      after = await checkpoint(back.gatewayUrl);
    }
    expect(after.size).toBeGreaterThanOrEqual(before.size + 5);
    const proof = (await (
      await fetch(
        `${back.gatewayUrl}/v1/merkle/consistency?first=${before.size}&second=${after.size}`,
      )
    ).json()) as { hashes: string[] };
    const result = verifyConsistency(
      before.size,
      after.size,
      proof.hashes.map((h) => fromBase64(h)!),
      before.root,
      after.root,
    );
    expect(result).toMatchObject({ ok: true });
  }, 300_000);
});
