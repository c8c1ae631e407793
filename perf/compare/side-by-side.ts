/**
 * Side-by-side benchmark (issue "Three times the actions per core"): the same open-loop ladder
 * against two builds of the mesh, in one run on one machine, rung by rung (the builds alternate
 * which goes first), so the figure is a ratio measured together, not two absolute figures from
 * different days. Each build runs as deployed: six processes, real PostgreSQL (its own scratch
 * database) and Redis (its own DB), the audit durable before the reply.
 *
 *   npx tsx perf/compare/side-by-side.ts --base <commit> [--candidate <commit>|worktree]
 *     [--protocols http,grpc] [--rates 100,200,300,400,500,600,800] [--step 20]
 *     [--p99-ms 50] [--out .data/perf/compare.json]
 *
 * A commit is checked out with `git worktree` under .data/compare/; it shares this checkout's
 * node_modules when its package-lock.json and patches/ are the same, and gets `npm ci` otherwise.
 * Per rung and build: achieved rate, p50/p99, errors, and CPU per answered action of the six
 * services and, separately, of Redis and PostgreSQL (all their processes on the host: keep the
 * machine otherwise idle). Sustainable rate: the highest rung with p99 ≤ --p99-ms and ≤ 0.1 %
 * errors.
 */
import { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { repoRoot } from '../../apps/cli/src/mesh';
import { defaultMix } from '../load/action-generator';
import { calibrate, writeUnlimitedQuotaFile } from '../load/bench-support';
import { runLoad } from '../load/run-load';
import type { Protocol } from '../load/senders/sender';
import { startMeshProcess, type MeshProcess } from '../validate/mesh-process';
import { clockTicksPerSecond, readProcSample } from '../validate/proc-sampler';

const opts = new Command()
  .requiredOption('--base <commit>', 'the build to compare against (a commit)')
  .option(
    '--candidate <commit>',
    'the other build: a commit, or "worktree" (this checkout as it is)',
    'worktree',
  )
  .option('--protocols <list>', 'ingress protocols: http, grpc, connect', 'http,grpc')
  .option('--rates <list>', 'ladder rungs (actions/s)', '100,200,300,400,500,600,800')
  .option('--step <s>', 'seconds per rung and build', '20')
  .option('--p99-ms <ms>', 'p99 bound of a sustained rung', '50')
  // Below Linux's ephemeral range (32768–60999): a port there can be held by any outgoing
  // connection on the host (to PostgreSQL, Redis …), and a service's listen then fails.
  .option('--port <n>', 'gateway port of the base build (candidate: +20)', '28300')
  .option('--out <file>', 'JSON report', '.data/perf/compare.json')
  .parse()
  .opts<{
    base: string;
    candidate: string;
    protocols: string;
    rates: string;
    step: string;
    p99Ms: string;
    port: string;
    out: string;
  }>();

const say = (line: string) => process.stderr.write(`[compare] ${line}\n`);
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();

/** Check a commit out under .data/compare/<sha> (once) and give it node_modules. */
function prepareBuild(ref: string): { label: string; root: string } {
  if (ref === 'worktree')
    return { label: `worktree (${git('rev-parse', '--short', 'HEAD')}+)`, root: repoRoot };
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const root = path.join(repoRoot, '.data', 'compare', sha.slice(0, 12));
  if (!existsSync(path.join(root, 'package.json'))) {
    rmSync(root, { recursive: true, force: true });
    git('worktree', 'prune');
    git('worktree', 'add', '--detach', root, sha);
  }
  if (!existsSync(path.join(root, 'node_modules'))) {
    let same = true;
    try {
      git('diff', '--quiet', sha, '--', 'package-lock.json', 'patches');
    } catch {
      same = false;
    }
    if (same)
      symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    else execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  }
  return { label: `${ref} (${sha.slice(0, 8)})`, root };
}

/** CPU ticks of each pid now. */
function ticksOf(pids: number[]): Map<number, number> {
  return new Map(
    pids
      .map((pid) => [pid, readProcSample(pid)?.cpuTicks ?? -1] as const)
      .filter(([, t]) => t >= 0),
  );
}
/** Ticks spent between two samples by the processes alive at both (a process that exited or
 * started in between is left out rather than counted negative or whole). */
function ticksBetween(before: Map<number, number>, after: Map<number, number>): number {
  let n = 0;
  for (const [pid, t] of after) {
    const t0 = before.get(pid);
    if (t0 !== undefined && t >= t0) n += t - t0;
  }
  return n;
}
const pidsNamed = (name: string): number[] => {
  try {
    return execFileSync('pgrep', ['-x', name], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};

interface Rung {
  protocol: string;
  build: string;
  rps: number;
  achievedRps: number;
  p50Ms: number;
  p99Ms: number;
  errorRate: number;
  /** CPU ms per answered action: the six services; Redis + PostgreSQL. */
  serviceCpuMsPerAction: number;
  storeCpuMsPerAction: number;
}

const builds = [prepareBuild(opts.base), prepareBuild(opts.candidate)];
const loadBefore = os.loadavg()[0]!.toFixed(1);
const calibrationBefore = calibrate();
say(`calibration ${calibrationBefore} ops/s; builds: ${builds.map((b) => b.label).join(' vs ')}`);

const adminUrl =
  process.env.NETHICAL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
const created: string[] = [];
const meshes: MeshProcess[] = [];
const stateDirs: string[] = [];
const tck = clockTicksPerSecond();
try {
  for (const [i, build] of builds.entries()) {
    const db = `nethical_compare_${i}_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
    await admin.query(`CREATE DATABASE ${db}`);
    created.push(db);
    const dbUrl = new URL(adminUrl);
    dbUrl.pathname = `/${db}`;
    const stateDir = mkdtempSync(path.join(os.tmpdir(), `nethical-compare-${i}-`));
    stateDirs.push(stateDir);
    // Quota must not be what refuses work: the mesh's capacity is measured.
    const limits = writeUnlimitedQuotaFile(stateDir);
    const redis = new URL(process.env.NETHICAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    redis.pathname = `/${7 + i}`;
    execFileSync('redis-cli', ['-u', redis.toString(), 'FLUSHDB']);
    say(`starting ${build.label} on :${Number(opts.port) + 20 * i}`);
    meshes.push(
      await startMeshProcess({
        repoRoot: build.root,
        stateDir,
        port: Number(opts.port) + 20 * i,
        readyTimeoutMs: 240_000,
        env: {
          NETHICAL_LOG_LEVEL: 'warn',
          NETHICAL_DATABASE_URL: dbUrl.toString(),
          NETHICAL_REDIS_URL: redis.toString(),
          NETHICAL_QUOTA_LIMITS_FILE: limits,
          NETHICAL_REQUESTS_PER_SECOND: '100000',
          NETHICAL_ENABLE_OTEL: 'false',
        },
      }),
    );
  }

  const load = (mesh: MeshProcess, protocol: Protocol, rps: number, durationSec: number) =>
    runLoad(
      {
        endpoint: mesh.gatewayUrl,
        protocol,
        agents: 1000,
        rps,
        durationSec,
        warmupSec: 0,
        connections: 64,
        mix: defaultMix,
        seed: 42 + rps,
        maxInFlight: 100_000,
        timeoutMs: 10_000,
        slo: {},
      },
      { progress: null },
    );

  const protocols = opts.protocols.split(',') as Protocol[];
  for (const [i, mesh] of meshes.entries()) {
    for (const protocol of protocols) {
      say(`warm-up ${builds[i]!.label} ${protocol}: 15 s at 100/s`);
      await load(mesh, protocol, 100, 15);
    }
  }
  const rungs: Rung[] = [];
  const step = Number(opts.step);
  const bound = Number(opts.p99Ms);
  const rates = opts.rates.split(',').map(Number);
  for (const protocol of protocols) {
    const failed = new Set<number>();
    for (const [r, rps] of rates.entries()) {
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        if (failed.has(i)) continue;
        const mesh = meshes[i]!;
        const services = Object.values(mesh.readPids());
        const stores = [...pidsNamed('redis-server'), ...pidsNamed('postgres')];
        const s0 = ticksOf(services);
        const d0 = ticksOf(stores);
        const s = await load(mesh, protocol, rps, step);
        const answered = Math.max(1, s.ok);
        const rung: Rung = {
          protocol,
          build: builds[i]!.label,
          rps,
          achievedRps: Math.round(s.achievedRps),
          p50Ms: Math.round(s.latency.p50Ms * 10) / 10,
          p99Ms: Math.round(s.latency.p99Ms * 10) / 10,
          errorRate: s.errorRate,
          serviceCpuMsPerAction:
            Math.round(((ticksBetween(s0, ticksOf(services)) / tck) * 1000 * 100) / answered) / 100,
          storeCpuMsPerAction:
            Math.round(((ticksBetween(d0, ticksOf(stores)) / tck) * 1000 * 100) / answered) / 100,
        };
        rungs.push(rung);
        say(
          `${protocol} ${rps}/s ${rung.build}: ${rung.achievedRps}/s p50 ${rung.p50Ms} p99 ${rung.p99Ms} ms errors ${(rung.errorRate * 100).toFixed(2)} % cpu ${rung.serviceCpuMsPerAction} + ${rung.storeCpuMsPerAction} ms/action`,
        );
        // Two saturated rungs in a row (errors over 5 % or under 90 % of the offered rate achieved):
        // this build is done with this protocol.
        const mine = rungs.filter((x) => x.protocol === protocol && x.build === rung.build);
        const saturated = (x: Rung) => x.errorRate > 0.05 || x.achievedRps < 0.9 * x.rps;
        if (mine.length >= 2 && mine.slice(-2).every(saturated)) failed.add(i);
        await new Promise((res) => setTimeout(res, 2000));
      }
    }
  }

  /** The highest rung of `build` with p99 ≤ `p99Ms` and ≤ 0.1 % errors (0 when none). */
  const sustained = (protocol: string, build: string, p99Ms = bound) =>
    Math.max(
      0,
      ...rungs
        .filter(
          (x) =>
            x.protocol === protocol &&
            x.build === build &&
            x.p99Ms <= p99Ms &&
            x.errorRate <= 0.001,
        )
        .map((x) => x.rps),
    );
  const summary = protocols.map((protocol) => {
    const [a, b] = builds.map((x) => sustained(protocol, x.label)) as [number, number];
    // CPU per action compared at the highest rate both builds ran.
    const common = rates.filter((rps) =>
      builds.every((x) =>
        rungs.some((y) => y.protocol === protocol && y.build === x.label && y.rps === rps),
      ),
    );
    const at = common.length ? Math.max(...common) : undefined;
    const cpu = builds.map((x) =>
      rungs.find((y) => y.protocol === protocol && y.build === x.label && y.rps === at),
    );
    const total = (y?: Rung) =>
      y ? Math.round((y.serviceCpuMsPerAction + y.storeCpuMsPerAction) * 100) / 100 : NaN;
    return {
      protocol,
      sustainedRps: { [builds[0]!.label]: a, [builds[1]!.label]: b },
      sustainedRatio: a > 0 ? Math.round((b / a) * 100) / 100 : null,
      // The same at looser bounds, for a host whose p99 floor is above --p99-ms.
      sustainedAtLooserBounds: Object.fromEntries(
        [2, 4].map((k) => [
          `p99<=${bound * k}ms`,
          Object.fromEntries(builds.map((x) => [x.label, sustained(protocol, x.label, bound * k)])),
        ]),
      ),
      cpuAtRps: at,
      cpuMsPerAction: { [builds[0]!.label]: total(cpu[0]), [builds[1]!.label]: total(cpu[1]) },
      cpuRatio: Math.round((total(cpu[1]) / total(cpu[0])) * 100) / 100,
    };
  });
  const report = {
    when: new Date().toISOString(),
    host: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average ${loadBefore} before`,
    calibrationOpsPerSec: { before: calibrationBefore, after: calibrate() },
    p99BoundMs: bound,
    stepSec: step,
    builds: builds.map((b) => b.label),
    summary,
    rungs,
  };
  mkdirSync(path.dirname(path.resolve(repoRoot, opts.out)), { recursive: true });
  writeFileSync(path.resolve(repoRoot, opts.out), JSON.stringify(report, null, 2));
  process.stdout.write(`${JSON.stringify({ ...report, rungs: undefined }, null, 2)}\n`);
} finally {
  for (const m of meshes) await m.stop().catch(() => {});
  for (const db of created)
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => {});
  await admin.end();
  for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
}
