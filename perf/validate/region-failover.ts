/**
 * The seed's Test 5 for real (issue 15): under an open-loop load through the regions' load
 * balancer, kill a whole region (every process, SIGKILL, pids from `regions status --json`),
 * measure how long requests fail, start the region again, and check afterwards that
 *  - every acknowledged action (HTTP 200 with an action id) is in one region's audit log
 *    (PostgreSQL, every region's database), i.e. 0 acknowledged actions lost;
 *  - the killed region's Merkle log continued consistently: a consistency proof from its last
 *    checkpoint before the kill to one after the restart verifies;
 *  - quota survived the failover: the agent `quota-probe` (a unit per 20 s in
 *    perf/validate/region-failover-limits.json) empties its bucket in the killed region just
 *    before the kill, then asks the survivors (through the balancer) right after it. A reset
 *    would allow it again; the shared bucket denies it, and the retry of an id charged before
 *    the kill is not charged again.
 *
 *   npx nethical regions up --database-url postgres://postgres@127.0.0.1:5432/postgres \
 *     --quota-limits perf/validate/region-failover-limits.json
 *   npx tsx perf/validate/region-failover.ts --state-dir .data/regions \
 *     --database-url postgres://postgres@127.0.0.1:5432/postgres [--rps 100] [--kill us-east-1]
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { fromBase64, parseCheckpoint, verifyConsistency } from '@nethical/merkle';
import pg from 'pg';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const opts = new Command('region-failover')
  .option('--state-dir <dir>', 'state dir of `nethical regions up`', '.data/regions')
  .requiredOption('--database-url <url>', 'the PostgreSQL server the regions use (any database)')
  .option('--rps <n>', 'offered actions per second (open loop)', '100')
  .option('--kill <region>', 'region to kill', 'us-east-1')
  .option('--before <s>', 'seconds of load before the kill', '10')
  .option('--down <s>', 'seconds the region stays down (under load)', '15')
  .option('--after <s>', 'seconds of load after the region is started again', '10')
  .option('--agents <n>', 'distinct agents', '60')
  .option('--tenants <n>', 'distinct tenants the agents belong to', '10')
  .option('--probe-burst <n>', "quota-probe's burst in the regions' limits file", '10')
  .option('--probe-rate <n>', "quota-probe's rate in the regions' limits file", '0.05')
  .parse()
  .opts<{
    stateDir: string;
    databaseUrl: string;
    rps: string;
    kill: string;
    before: string;
    down: string;
    after: string;
    agents: string;
    tenants: string;
    probeBurst: string;
    probeRate: string;
  }>();

interface RegionStatus {
  region: string;
  gatewayUrl: string;
  database?: string;
  pids: Record<string, number>;
  ready: boolean;
}
const cli = async (...args: string[]) =>
  (
    await run(
      process.execPath,
      [path.resolve('apps/cli/bin/nethical.mjs'), 'regions', ...args, '--state-dir', opts.stateDir],
      { maxBuffer: 1 << 24 },
    )
  ).stdout;
const status = async () =>
  JSON.parse(await cli('status', '--json')) as { lbUrl: string; regions: RegionStatus[] };

interface Outcome {
  sentAt: number;
  ms: number;
  status: number;
  actionId?: string;
  /** Start of the answer of a failure (what refused it). */
  error?: string;
}

async function checkpoint(gateway: string): Promise<{ size: number; root: Uint8Array }> {
  // A loaded gateway may be slow to answer: a few tries with a generous timeout.
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${gateway}/v1/merkle/checkpoint`, {
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      const cp = parseCheckpoint(`${text.split('\n\n')[0]}\n`);
      return { size: cp.size, root: cp.rootHash };
    } catch (err) {
      if (attempt >= 5) throw err;
      await sleep(1000);
    }
  }
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

interface Probe {
  agentId: string;
  tenantId: string;
  /** An action id the killed region charged (and acknowledged) before the kill. */
  chargedId: string;
  allowedBeforeKill: number;
  /** Status of the check after the burst: 429 when the bucket was empty. */
  emptyStatus: number;
  emptiedAt: number;
}

/** The probe agent: `perf/validate/region-failover-limits.json` gives it a slow refill. */
const PROBE_AGENT = 'quota-probe';
const probeAction = (p: Pick<Probe, 'agentId' | 'tenantId'>, actionId: string) =>
  JSON.stringify({ agent_id: p.agentId, tenant_id: p.tenantId, action_id: actionId, action: 'Quota probe' });

async function post(url: string, body: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(`${url}/process_action`, {
      method: 'POST',
      headers: { connection: 'close', 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(5000),
    });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { status: 0, body: err instanceof Error ? String(err.cause ?? err.message) : String(err) };
  }
}

/** Spend the probe agent's whole burst in the region about to be killed (a fresh tenant per run). */
async function emptyProbeBucket(gateway: string): Promise<Probe> {
  const ids = { agentId: PROBE_AGENT, tenantId: `quota-probe-${Date.now().toString(36)}` };
  const burst = Number(opts.probeBurst);
  const statuses = await Promise.all(
    Array.from({ length: burst }, (_, i) => post(gateway, probeAction(ids, `${ids.tenantId}-before-${i}`))),
  );
  // One more must be refused as over quota; an action shed by an overloaded gateway (503) was not
  // charged, so keep going (a few tries) until the bucket answers 429.
  let empty = await post(gateway, probeAction(ids, `${ids.tenantId}-before-empty-0`));
  for (let i = 1; i < 6 && empty.status !== 429; i++) {
    empty = await post(gateway, probeAction(ids, `${ids.tenantId}-before-empty-${i}`));
  }
  return {
    ...ids,
    chargedId: `${ids.tenantId}-before-0`,
    allowedBeforeKill: statuses.filter((r) => r.status === 200).length,
    emptyStatus: empty.status,
    emptiedAt: performance.now(),
  };
}

/**
 * Right after the kill, through the balancer (so a surviving region): a new action (a reset
 * bucket would allow it; the shared one is still empty, so 429), then the retry of an id charged
 * before the kill (a replay: not charged again, so allowed although the bucket is empty).
 */
async function probeSurvivors(lbUrl: string, probe: Probe) {
  // The first request may still meet the dead region (the balancer needs up to ~2 s to mark it
  // down and a connection refused at the kill instant is not always redispatched): retry those.
  let fresh = await post(lbUrl, probeAction(probe, `${probe.tenantId}-after`));
  for (let i = 0; i < 5 && fresh.status === 0; i++) {
    await sleep(200);
    fresh = await post(lbUrl, probeAction(probe, `${probe.tenantId}-after`));
  }
  const retry = await post(lbUrl, probeAction(probe, probe.chargedId));
  const sinceEmptiedS = (performance.now() - probe.emptiedAt) / 1000;
  const refillOneS = 1 / Number(opts.probeRate);
  return {
    allowedBeforeKill: `${probe.allowedBeforeKill} of ${opts.probeBurst}`,
    statusOnceEmpty: probe.emptyStatus,
    newActionStatus: fresh.status,
    newActionAnswer: fresh.body.slice(0, 160),
    retryOfChargedIdStatus: retry.status,
    secondsSinceEmptied: Math.round(sinceEmptiedS * 100) / 100,
    secondsToRefillOneUnit: refillOneS,
    verdict:
      probe.emptyStatus !== 429
        ? 'not measured (the bucket was not empty before the kill)'
        : sinceEmptiedS >= refillOneS
          ? 'not measured (the survivors answered after a unit refilled)'
          : fresh.status === 429 && retry.status === 200
            ? 'kept: still empty in the surviving region, and the retried id was not charged again'
            : `NOT kept (new: ${fresh.status}, retry: ${retry.status})`,
  };
}

async function main(): Promise<void> {
  const s = await status();
  const victim = s.regions.find((r) => r.region === opts.kill);
  if (!victim) throw new Error(`no region ${opts.kill}`);
  const rps = Number(opts.rps);
  // The consistency proof runs from the victim's last checkpoint before the kill (read just
  // before it, so a fresh deployment has leaves by then) to one after the restart.
  let before = await checkpoint(victim.gatewayUrl);
  const outcomes: Outcome[] = [];
  const t0 = performance.now();
  let seq = 0;
  let stop = false;
  const inflight = new Set<Promise<void>>();
  const send = () => {
    const i = seq++;
    const sentAt = performance.now() - t0;
    const p = fetch(`${s.lbUrl}/process_action`, {
      method: 'POST',
      // A connection per request: the balancer then spreads requests, not long-lived connections.
      headers: { connection: 'close' },
      body: JSON.stringify({
        agent_id: `failover-agent-${i % Number(opts.agents)}`,
        tenant_id: `failover-tenant-${i % Number(opts.tenants)}`,
        action: `Summarise report ${i}`,
      }),
      signal: AbortSignal.timeout(5000),
    })
      .then(async (res) => {
        const text = await res.text();
        const body = (() => {
          try {
            return JSON.parse(text) as { action_id?: string };
          } catch {
            return {};
          }
        })();
        outcomes.push({
          sentAt,
          ms: performance.now() - t0 - sentAt,
          status: res.status,
          actionId: res.status === 200 ? body.action_id : undefined,
          error: res.status === 200 ? undefined : text.slice(0, 160),
        });
      })
      .catch((err: unknown) => {
        const error = err instanceof Error ? String(err.cause ?? err.message) : String(err);
        outcomes.push({ sentAt, ms: performance.now() - t0 - sentAt, status: 0, error: error.slice(0, 160) });
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  // Open loop: sends on schedule whatever the answers do (no coordinated omission).
  const loader = (async () => {
    while (!stop) {
      const due = Math.floor(((performance.now() - t0) / 1000) * rps);
      while (seq < due) send();
      await sleep(5);
    }
  })();

  await sleep(Number(opts.before) * 1000);
  const probe = await emptyProbeBucket(victim.gatewayUrl);
  before = await checkpoint(victim.gatewayUrl).catch(() => before);
  const killedAt = performance.now() - t0;
  for (const pid of Object.values(victim.pids)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.stderr.write(
    `killed ${victim.region} (${Object.values(victim.pids).join(' ')}) at ${(killedAt / 1000).toFixed(1)} s\n`,
  );
  const quotaAfterFailover = await probeSurvivors(s.lbUrl, probe);
  await sleep(Number(opts.down) * 1000);
  const startAt = performance.now() - t0;
  await cli('start', victim.region);
  const rejoinedMs = performance.now() - t0 - startAt;
  process.stderr.write(`${victim.region} started again in ${(rejoinedMs / 1000).toFixed(1)} s\n`);
  await sleep(Number(opts.after) * 1000);
  stop = true;
  await loader;
  await Promise.allSettled([...inflight]);

  // Client side.
  const failures = outcomes.filter((o) => o.status !== 200);
  const afterKill = failures.filter((o) => o.sentAt >= killedAt - 5000);
  const lastFailure = afterKill.length
    ? Math.max(...afterKill.map((o) => o.sentAt + o.ms))
    : killedAt;
  const acked = outcomes.filter((o) => o.status === 200 && o.actionId).map((o) => o.actionId!);
  const okMs = outcomes
    .filter((o) => o.status === 200)
    .map((o) => o.ms)
    .sort((a, b) => a - b);

  // Every acknowledged action is in one region's audit log.
  const found = new Set<string>();
  const perRegion: Record<string, number> = {};
  for (const r of s.regions) {
    if (!r.database) continue;
    const url = new URL(opts.databaseUrl);
    url.pathname = `/${r.database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const res = await client.query<{ action_id: string }>(
        'SELECT action_id FROM audit_action_ids WHERE action_id = ANY($1)',
        [acked],
      );
      perRegion[r.region] = res.rowCount ?? 0;
      for (const row of res.rows) found.add(row.action_id);
    } finally {
      await client.end();
    }
  }

  // The killed region's Merkle log continues: consistency from before the kill to now.
  let after = await checkpoint(victim.gatewayUrl);
  for (let i = 0; i < 20 && after.size <= before.size; i++) {
    await sleep(500);
    after = await checkpoint(victim.gatewayUrl);
  }
  let consistency = 'not checked (no new leaves)';
  if (before.size === 0) consistency = 'not checked (empty log before the run)';
  if (after.size > before.size && before.size > 0) {
    const proof = (await (
      await fetch(
        `${victim.gatewayUrl}/v1/merkle/consistency?first=${before.size}&second=${after.size}`,
      )
    ).json()) as { hashes: string[] };
    const v = verifyConsistency(
      before.size,
      after.size,
      proof.hashes.map((h) => fromBase64(h)!),
      before.root,
      after.root,
    );
    consistency = v.ok ? `verified ${before.size} → ${after.size}` : `FAILED: ${JSON.stringify(v)}`;
  }

  // Failures per second of sending, from 5 s before the kill to the end, and what they said.
  const timeline: Record<string, string> = {};
  for (let sec = -5; sec * 1000 < performance.now() - t0 - killedAt; sec++) {
    const inSec = outcomes.filter((o) => o.sentAt >= killedAt + sec * 1000 && o.sentAt < killedAt + (sec + 1) * 1000);
    const bad = inSec.filter((o) => o.status !== 200);
    if (bad.length) timeline[`${sec >= 0 ? '+' : ''}${sec}s`] = `${bad.length}/${inSec.length}`;
  }
  const reasons: Record<string, number> = {};
  for (const o of failures) {
    const key = `${o.status} ${(o.error ?? '').replace(/[0-9a-f-]{36}|\d+(\.\d+)?/g, '#').slice(0, 100)}`;
    reasons[key] = (reasons[key] ?? 0) + 1;
  }
  // Served again: the first second after the kill from which no request sent before the
  // region's restart failed (failures caused by the restart itself are reported apart).
  const downWindow = failures.filter((o) => o.sentAt >= killedAt && o.sentAt < startAt);
  const servedAgainMs = downWindow.length
    ? Math.max(...downWindow.map((o) => o.sentAt)) - killedAt
    : 0;
  const report = {
    offeredRps: rps,
    sent: outcomes.length,
    ok: outcomes.length - failures.length,
    failed: failures.length,
    failedAfterKill: afterKill.length,
    statuses: outcomes.reduce<Record<string, number>>((m, o) => ((m[String(o.status)] = (m[String(o.status)] ?? 0) + 1), m), {}),
    servedAgainAfterMs: Math.round(servedAgainMs),
    lastFailureAfterKillMs: Math.round(Math.max(0, lastFailure - killedAt)),
    failuresDuringRestart: failures.filter((o) => o.sentAt >= startAt).length,
    failuresPerSecond: timeline,
    failureReasons: reasons,
    rejoinMs: Math.round(rejoinedMs),
    latencyOkMs: {
      p50: Math.round(pct(okMs, 50)),
      p99: Math.round(pct(okMs, 99)),
      max: Math.round(okMs.at(-1) ?? 0),
    },
    acknowledged: acked.length,
    acknowledgedInAuditLogs: found.size,
    lostAcknowledged: acked.length - found.size,
    auditedPerRegion: perRegion,
    merkleConsistency: consistency,
    quotaAfterFailover,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exitCode = report.lostAcknowledged === 0 && consistency.startsWith('verified') ? 0 : 1;
}

await main();
