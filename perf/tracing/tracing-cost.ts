/**
 * What tracing costs per action: the mesh with NETHICAL_ENABLE_OTEL off, then on (every span
 * exported over OTLP/HTTP to the in-repo receiver), under the same ghz load of ProcessAction by
 * reflection. Reports CPU milliseconds per action summed over the six processes
 * (`process_cpu_seconds_total` before and after) and ghz latency.
 *
 *   npx tsx perf/tracing/tracing-cost.ts [--port 18800] [--requests 1500] [--rps 50] [--modes on,off]
 * Set NETHICAL_DATABASE_URL to run on PostgreSQL (each mode in a fresh schema is not needed: the
 * audit log only grows).
 */
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMesh, type RunningMesh } from '../../apps/cli/src/mesh';
import { runTool, sharedTool, startOtlpReceiver } from '@nethical/testing';

const opts = new Command('tracing-cost')
  .option('--port <port>', 'mesh base port', '18800')
  .option('--requests <n>', 'ProcessAction calls per mode', '1500')
  .option('--rps <n>', 'rate', '50')
  .option('--modes <list>', 'order of the runs (off,on or on,off)', 'off,on')
  .parse()
  .opts<{ port: string; requests: string; rps: string; modes: string }>();
const ghz = sharedTool('ghz');
if (!ghz) throw new Error('ghz not found in ../shared/bin (NETHICAL_TOOLS_DIR)');
const say = (m: string) => process.stderr.write(`${m}\n`);

async function cpuSeconds(mesh: RunningMesh): Promise<number> {
  let total = 0;
  for (const url of Object.values(mesh.urls)) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('process_cpu_seconds_total'));
    total += Number(line?.split(' ').pop() ?? 0);
  }
  return total;
}

async function load(target: string, n: number, rps: number) {
  const { stdout, stderr } = await runTool(
    ghz!,
    ['--config', 'perf/ghz/process-action.json', '-n', String(n), '--rps', String(rps), '-z', '0', '-O', 'json', target],
    600_000,
  );
  const report = JSON.parse(stdout || stderr) as {
    count: number;
    statusCodeDistribution: Record<string, number>;
    latencyDistribution: Array<{ percentage: number; latency: number }> | null;
  };
  const pct = (p: number) => (report.latencyDistribution?.find((d) => d.percentage === p)?.latency ?? 0) / 1e6;
  say(`  status codes ${JSON.stringify(report.statusCodeDistribution)}`);
  return { ok: report.statusCodeDistribution.OK ?? 0, count: report.count, p50: pct(50), p99: pct(99) };
}

const receiver = await startOtlpReceiver();
const rows: string[] = [];
for (const mode of opts.modes.split(',')) {
  const stateDir = mkdtempSync(path.join(tmpdir(), `nethical-tracing-cost-${mode}-`));
  const mesh = await startMesh({
    env: {
      ...process.env,
      NETHICAL_LOG_LEVEL: 'warn',
      NETHICAL_STORAGE_DIR: stateDir,
      NETHICAL_ENABLE_OTEL: mode === 'on' ? 'true' : 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    },
    basePort: Number(opts.port),
    stateDir,
    readyTimeoutMs: 300_000,
  });
  try {
    const target = mesh.gatewayUrl.replace('http://', '');
    say(`tracing ${mode}: warm-up`);
    await load(target, 300, Number(opts.rps));
    const before = await cpuSeconds(mesh);
    const spansBefore = receiver.spans.length;
    say(`tracing ${mode}: ${opts.requests} actions at ${opts.rps}/s`);
    const r = await load(target, Number(opts.requests), Number(opts.rps));
    await new Promise((res) => setTimeout(res, 6000)); // a batch export interval, counted too
    const cpuMs = ((await cpuSeconds(mesh)) - before) * 1000;
    const spans = receiver.spans.length - spansBefore;
    rows.push(
      `| ${mode} | ${r.ok}/${r.count} | ${(cpuMs / r.ok).toFixed(2)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${(spans / r.ok).toFixed(1)} |`,
    );
  } finally {
    await mesh.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
await receiver.close();
process.stdout.write(
  ['| tracing | OK/sent | CPU ms per action (6 processes) | p50 ms | p99 ms | spans per action |', '|---|---|---|---|---|---|', ...rows].join('\n') + '\n',
);
