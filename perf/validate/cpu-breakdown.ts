/**
 * Where each action's CPU goes, per process and per hop (issue 6). Starts the mesh on Redis and
 * PostgreSQL (audit durable before reply), then for each rate runs the open-loop generator as
 * its own process and reads, before and after the measured window:
 *   - CPU time (utime + stime, /proc) of the six services, every redis-server and postgres
 *     process on the host, and the generator;
 *   - the gateway's per-stage histograms (`nethical_gateway_stage_duration_seconds`: the quota,
 *     judge and audit hops, client-side, including the network and the callee).
 * CPU is divided by the actions answered, warm-up included (the window spans the whole run).
 *
 *   npx tsx perf/validate/cpu-breakdown.ts [--rates 100,200,300] [--duration 30] [--warmup 5]
 *     [--idle 20] [--agents 1000] [--protocol http|grpc|connect] [--port 18600] [--out perf/out/cpu-breakdown.md]
 *
 * `--idle N` first measures N seconds with no load (CPU ms per second per process): what the
 * mesh costs when nothing happens, which dominates CPU per action at low rates.
 *
 * Redis and PostgreSQL processes are counted host-wide: run it on an otherwise idle machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { LoadSummary } from '../load/load-summary';
import { ensureDatabase } from './database';
import { startMeshProcess } from './mesh-process';
import { clockTicksPerSecond, readProcSample } from './proc-sampler';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const opts = new Command('cpu-breakdown')
  .option('--rates <list>', 'offered rates, actions/s', '100,200,300')
  .option('--duration <s>', 'measured seconds per rate', '30')
  .option('--warmup <s>', 'warm-up seconds per rate', '5')
  .option('--idle <s>', 'seconds measured with no load before the rates (0: skip)', '0')
  .option('--agents <n>', 'distinct agents', '1000')
  .option('--protocol <p>', 'ingress: http (POST /process_action JSON), grpc or connect', 'http')
  .option('--port <n>', 'gateway port (the services take the next five)', '18600')
  .option('--redis-url <url>', 'Redis for quota and judge state', 'redis://127.0.0.1:6379/4')
  .option(
    '--database-url <url>',
    'PostgreSQL for the audit trail and tree',
    'postgres://postgres@127.0.0.1:5432/nethical_breakdown',
  )
  .option('--out <file>', 'Markdown report', 'perf/out/cpu-breakdown.md')
  .parse()
  .opts<{
    protocol: string;
    rates: string;
    idle: string;
    duration: string;
    warmup: string;
    agents: string;
    port: string;
    redisUrl: string;
    databaseUrl: string;
    out: string;
  }>();

const ticksPerMs = clockTicksPerSecond() / 1000;
const pgrep = (name: string): number[] => {
  try {
    return execFileSync('pgrep', ['-x', name], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};
const cpuMs = (pids: number[]): number =>
  pids.reduce((sum, pid) => sum + (readProcSample(pid)?.cpuTicks ?? 0), 0) / ticksPerMs;

/** Sum and count of each stage of the gateway's stage histogram. */
async function stages(gatewayUrl: string): Promise<Record<string, { sum: number; count: number }>> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const out: Record<string, { sum: number; count: number }> = {};
  for (const m of text.matchAll(
    /^nethical_gateway_stage_duration_seconds_(sum|count)\{[^}]*stage="([^"]+)"[^}]*\} (\S+)$/gm,
  )) {
    const entry = (out[m[2]!] ??= { sum: 0, count: 0 });
    entry[m[1] as 'sum' | 'count'] = Number(m[3]);
  }
  return out;
}

await ensureDatabase(opts.databaseUrl);
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'nethical-breakdown-'));
const mesh = await startMeshProcess({
  repoRoot,
  stateDir,
  port: Number(opts.port),
  env: {
    NETHICAL_REDIS_URL: opts.redisUrl,
    NETHICAL_DATABASE_URL: opts.databaseUrl,
    NETHICAL_QUOTA_LIMITS_FILE: 'perf/validate/quota-limits.json',
    NETHICAL_REQUESTS_PER_SECOND: '5000',
    NETHICAL_LOG_LEVEL: 'warn',
  },
});
const lines: string[] = [
  '# CPU per action, per process and per hop',
  '',
  `Generated ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}; mesh on Redis ${opts.redisUrl} and PostgreSQL (audit durable before reply); load average at start ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')}.`,
  `Command: \`npx tsx perf/validate/cpu-breakdown.ts --rates ${opts.rates} --idle ${opts.idle} --duration ${opts.duration} --warmup ${opts.warmup} --agents ${opts.agents} --protocol ${opts.protocol}\``,
  '',
];
/** CPU ms of each service, and of every redis-server and postgres process on the host. */
const snapshot = (pids: Record<string, number>) => ({
  services: Object.fromEntries(Object.keys(pids).map((s) => [s, cpuMs([pids[s]!])])),
  redis: cpuMs(pgrep('redis-server')),
  postgres: cpuMs(pgrep('postgres')),
});
try {
  const idleSeconds = Number(opts.idle);
  if (idleSeconds > 0) {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const pids = mesh.readPids();
    const before = snapshot(pids);
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const seconds = (performance.now() - started) / 1000;
    const after = snapshot(pids);
    const rows: Array<[string, number]> = [
      ...Object.keys(pids).map((s): [string, number] => [
        s,
        after.services[s]! - before.services[s]!,
      ]),
      ['PostgreSQL (all backends)', after.postgres - before.postgres],
      ['Redis', after.redis - before.redis],
    ];
    const total = rows.reduce((n, [, ms]) => n + ms, 0);
    lines.push(
      `## Idle (${seconds.toFixed(1)} s, no load)`,
      '',
      '| process | CPU ms per second |',
      '|---|---|',
      ...rows
        .sort((a, b) => b[1] - a[1])
        .map(([name, ms]) => `| ${name} | ${(ms / seconds).toFixed(1)} |`),
      `| **mesh total** | **${(total / seconds).toFixed(1)}** |`,
      '',
    );
    process.stderr.write(`[breakdown] idle: ${(total / seconds).toFixed(1)} ms CPU per second\n`);
  }
  for (const rate of opts.rates.split(',').map(Number)) {
    const pids = mesh.readPids();
    const services = Object.keys(pids);
    const csv = path.join(stateDir, `load-${rate}.csv`);
    const before = {
      services: Object.fromEntries(services.map((s) => [s, cpuMs([pids[s]!])])),
      redis: cpuMs(pgrep('redis-server')),
      postgres: cpuMs(pgrep('postgres')),
      stages: await stages(mesh.gatewayUrl),
    };
    const generator = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'perf/load/main.ts',
        '--endpoint',
        mesh.gatewayUrl,
        '--rps',
        String(rate),
        '--duration',
        opts.duration,
        '--warmup',
        opts.warmup,
        '--agents',
        opts.agents,
        '--protocol',
        opts.protocol,
        '--seed',
        '7',
        '--output',
        csv,
        '--quiet',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    let generatorMs = 0;
    const sampleGenerator = setInterval(() => {
      generatorMs = cpuMs([generator.pid!]) || generatorMs;
    }, 500);
    await new Promise((resolve) => generator.once('exit', resolve));
    clearInterval(sampleGenerator);
    const summary = JSON.parse(
      readFileSync(csv.replace(/\.csv$/, '.summary.json'), 'utf8'),
    ) as LoadSummary;
    const after = {
      services: Object.fromEntries(services.map((s) => [s, cpuMs([pids[s]!])])),
      redis: cpuMs(pgrep('redis-server')),
      postgres: cpuMs(pgrep('postgres')),
      stages: await stages(mesh.gatewayUrl),
    };
    const actions =
      Object.values(after.stages).reduce((n, s) => Math.max(n, s.count), 0) -
      Object.values(before.stages).reduce((n, s) => Math.max(n, s.count), 0);
    const per = (ms: number) => (ms / Math.max(1, actions)).toFixed(2);
    const rows: Array<[string, number]> = [
      ...services.map((s): [string, number] => [s, after.services[s]! - before.services[s]!]),
      ['PostgreSQL (all backends)', after.postgres - before.postgres],
      ['Redis', after.redis - before.redis],
    ];
    const total = rows.reduce((n, [, ms]) => n + ms, 0);
    const l = summary.latency;
    lines.push(
      `## ${rate} actions/s offered`,
      '',
      `achieved ${summary.achievedRps.toFixed(1)}/s, errors ${summary.errors}, latency from schedule p50 ${l.p50Ms} / p99 ${l.p99Ms} / p99.9 ${l.p999Ms} ms, generator dispatch lag p99 ${summary.dispatchLag.p99Ms} ms; ${actions} actions through the gateway (warm-up included).`,
      '',
      '| process | CPU ms per action | share |',
      '|---|---|---|',
      ...rows
        .sort((a, b) => b[1] - a[1])
        .map(([name, ms]) => `| ${name} | ${per(ms)} | ${((100 * ms) / total).toFixed(0)} % |`),
      `| **mesh total** | **${per(total)}** | |`,
      `| load generator (not in the total) | ${per(generatorMs)} | |`,
      '',
      '| hop (gateway → service, client side) | mean ms |',
      '|---|---|',
      ...Object.keys(after.stages).map((stage) => {
        const d = {
          sum: after.stages[stage]!.sum - (before.stages[stage]?.sum ?? 0),
          count: after.stages[stage]!.count - (before.stages[stage]?.count ?? 0),
        };
        return `| ${stage} | ${d.count ? ((1000 * d.sum) / d.count).toFixed(2) : '–'} (${d.count} calls) |`;
      }),
      '',
    );
    process.stderr.write(
      `[breakdown] ${rate}/s: ${per(total)} ms CPU per action, p99 ${l.p99Ms} ms\n`,
    );
  }
} finally {
  await mesh.stop();
}
mkdirSync(path.dirname(path.resolve(repoRoot, opts.out)), { recursive: true });
writeFileSync(path.resolve(repoRoot, opts.out), `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
