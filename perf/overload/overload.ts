/**
 * Overload benchmark (issue "Hostile input and overload"): the mesh on real Redis and
 * PostgreSQL, warmed up; a ladder finds the sustainable rate; then 3× that rate for 60 s, then
 * the rate drops back. Reports goodput against the sustainable rate, accepted and rejected p99,
 * Retry-After on refusals, client timeouts, gateway RSS, and how long latency takes to return to
 * normal once the load drops; with a calibration figure taken in the same run.
 *
 *   npx tsx perf/overload/overload.ts [--port 28100] [--ladder 100,150,200,250,300,350,400]
 *     [--step 15] [--overload 60] [--factor 3] [--out .data/perf/overload.json]
 *
 * Needs PostgreSQL (NETHICAL_TEST_DATABASE_URL, default 127.0.0.1:5432) and Redis
 * (NETHICAL_TEST_REDIS_URL, default 127.0.0.1:6379; DB 13 is used and flushed).
 */
import { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { startMesh, repoRoot } from '../../apps/cli/src/mesh';
import { defaultMix } from '../load/action-generator';
import { calibrate, writeUnlimitedQuotaFile } from '../load/bench-support';
import { runLoad, type RequestResult } from '../load/run-load';
import { createLatencyHistogram } from '../load/latency-histogram';

const opts = new Command()
  // Below Linux's ephemeral range (32768–60999): a port there can be held by any outgoing
  // connection on the host (to PostgreSQL, Redis …), and the service's listen then fails.
  .option('--port <n>', 'gateway port (the others take the next five)', '28100')
  .option(
    '--ladder <rates>',
    'rates of the ladder that finds the sustainable rate',
    '100,150,200,250,300,350,400,500',
  )
  .option('--step <s>', 'seconds per ladder rung', '15')
  .option('--overload <s>', 'seconds of overload', '60')
  .option('--factor <x>', 'overload as a multiple of the sustainable rate', '3')
  .option('--p99-ms <ms>', 'a rung is sustained when p99 ≤ this and errors ≤ 1 %', '500')
  .option('--out <file>', 'JSON report', '.data/perf/overload.json')
  .parse()
  .opts<{
    port: string;
    ladder: string;
    step: string;
    overload: string;
    factor: string;
    p99Ms: string;
    out: string;
  }>();

const say = (line: string) => process.stderr.write(`[overload] ${line}\n`);

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

const loadBefore = os.loadavg()[0]!.toFixed(1);
const calibrationBefore = calibrate();
say(`calibration: ${calibrationBefore} ops/s`);
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'nethical-overload-'));
const db = `nethical_overload_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const pgUrl = new URL(
  process.env.NETHICAL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
);
const admin = new pg.Client({ connectionString: pgUrl.toString() });
await admin.connect();
await admin.query(`CREATE DATABASE ${db}`);
const dbUrl = new URL(pgUrl);
dbUrl.pathname = `/${db}`;
const redisUrl = new URL(process.env.NETHICAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
redisUrl.pathname = '/13';
// Quota must not be what refuses work: the mesh's capacity is measured.
const limitsFile = writeUnlimitedQuotaFile(stateDir);

const mesh = await startMesh({
  env: {
    ...process.env,
    NETHICAL_LOG_LEVEL: 'warn',
    NETHICAL_STORAGE_DIR: stateDir,
    NETHICAL_DATABASE_URL: dbUrl.toString(),
    NETHICAL_REDIS_URL: redisUrl.toString(),
    NETHICAL_QUOTA_LIMITS_FILE: limitsFile,
    NETHICAL_REQUESTS_PER_SECOND: '100000',
  },
  basePort: Number(opts.port),
  stateDir,
  readyTimeoutMs: 240_000,
});
const endpoint = mesh.gatewayUrl;
const base = {
  endpoint,
  protocol: 'http' as const,
  agents: 1000,
  warmupSec: 0,
  connections: 256,
  mix: defaultMix,
  maxInFlight: 100_000,
  timeoutMs: 10_000,
  slo: {},
};
const load = (rps: number, durationSec: number, onResult?: (r: RequestResult) => void) =>
  runLoad(
    { ...base, rps, durationSec, seed: Math.floor(Math.random() * 2 ** 31) },
    { progress: null, onResult },
  );

try {
  say('warm-up: 20 s at 100/s');
  await load(100, 20);
  const step = Number(opts.step);
  const ladder: { rps: number; achieved: number; p99Ms: number; errorRate: number }[] = [];
  let sustainable = 0;
  for (const rps of opts.ladder.split(',').map(Number)) {
    const s = await load(rps, step);
    ladder.push({
      rps,
      achieved: Math.round(s.achievedRps),
      p99Ms: s.latency.p99Ms,
      errorRate: s.errorRate,
    });
    say(
      `ladder ${rps}/s: achieved ${s.achievedRps.toFixed(0)}/s p99 ${s.latency.p99Ms} ms errors ${(s.errorRate * 100).toFixed(2)} %`,
    );
    if (s.latency.p99Ms <= Number(opts.p99Ms) && s.errorRate <= 0.01)
      sustainable = Math.max(sustainable, Math.round(s.achievedRps));
    else break;
    await new Promise((r) => setTimeout(r, 3000));
  }
  if (sustainable === 0) throw new Error('no rung of the ladder was sustained');
  const overloadRps = Math.round(sustainable * Number(opts.factor));
  say(`sustainable ${sustainable}/s; overload ${overloadRps}/s for ${opts.overload} s`);

  // Sample the gateway's RSS and whether refusals carry Retry-After, while the overload runs.
  const gatewayPid = mesh.pids().gateway;
  const rss: number[] = [];
  const retryAfter = { refusals: 0, withHeader: 0 };
  const probe = new Pool(endpoint, { connections: 2 });
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      rss.push(rssMb(gatewayPid));
      try {
        const r = await probe.request({
          method: 'POST',
          path: '/process_action',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ agent_id: 'probe', action: 'hello' }),
        });
        await r.body.dump();
        if (r.statusCode === 503) {
          retryAfter.refusals += 1;
          if (Number(r.headers['retry-after']) >= 1) retryAfter.withHeader += 1;
        }
      } catch {
        /* counted by the load itself */
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();

  const accepted = createLatencyHistogram();
  const rejected = createLatencyHistogram();
  const statuses: Record<string, number> = {};
  const over = await load(overloadRps, Number(opts.overload), (r) => {
    statuses[r.outcome.status] = (statuses[r.outcome.status] ?? 0) + 1;
    if (r.outcome.ok) accepted.record(r.latencyMs);
    else if (r.outcome.status === '503') rejected.record(r.latencyMs);
  });
  sampling = false;
  await sampler;
  await probe.close();

  // Recovery: back to the sustainable rate's half; per-second p99 until it is normal again.
  const perSecond = new Map<number, number[]>();
  const t0 = Date.now();
  const after = await load(Math.round(sustainable / 2), 15, (r) => {
    const sec = Math.floor((r.scheduledWallMs - t0) / 1000);
    perSecond.set(sec, [...(perSecond.get(sec) ?? []), r.latencyMs]);
  });
  const normalP99 = ladder[0]!.p99Ms;
  const p99Of = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? 0;
  const recovery = [...perSecond]
    .sort(([a], [b]) => a - b)
    .map(([sec, xs]) => ({ sec, p99Ms: Math.round(p99Of(xs) * 10) / 10 }));
  const recoveredAtSec = recovery.find((r) => r.p99Ms <= Math.max(2 * normalP99, 50))?.sec ?? null;

  const calibrationAfter = calibrate();
  const report = {
    when: new Date().toISOString(),
    host: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average ${loadBefore} before, ${os.loadavg()[0]?.toFixed(1)} at the end`,
    calibrationOpsPerSec: { before: calibrationBefore, after: calibrationAfter },
    ladder,
    sustainableRps: sustainable,
    overload: {
      offeredRps: overloadRps,
      durationSec: Number(opts.overload),
      goodputRps: Math.round(over.achievedRps),
      goodputShareOfSustainable: Math.round((over.achievedRps / sustainable) * 1000) / 1000,
      statuses,
      clientTimeouts: statuses.timeout ?? 0,
      acceptedP99Ms: accepted.summary().p99Ms,
      rejectedP99Ms: rejected.summary().p99Ms,
      retryAfter,
      gatewayRssMb: { max: Math.round(Math.max(...rss)), samples: rss.length },
    },
    recovery: {
      rps: Math.round(sustainable / 2),
      normalP99Ms: normalP99,
      recoveredAtSec,
      perSecond: recovery,
      p99Ms: after.latency.p99Ms,
    },
  };
  mkdirSync(path.dirname(path.resolve(repoRoot, opts.out)), { recursive: true });
  writeFileSync(path.resolve(repoRoot, opts.out), JSON.stringify(report, null, 2));
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await mesh.stop();
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.end();
  rmSync(stateDir, { recursive: true, force: true });
}
