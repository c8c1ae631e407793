/**
 * The same build of the mesh under two settings of the judge, alternately, on real prompts:
 * every row of the labelled prompt files is sent through `POST /process_action` (a new agent per
 * action, so quarantine never answers in place of the scan), and the judge process's CPU per
 * action is read from /proc. The load generator's templated actions are short; this measures
 * the judge on the lengths agents really send (jailbreak templates, documents).
 *
 *   npx tsx perf/compare/judge-settings.ts --setting NETHICAL_JUDGE_REGEXP_TIER_UP=true
 *     [--rounds 2] [--concurrency 8] [--datasets ../shared/datasets] [--port 28400]
 *
 * Per round and setting: a warm-up pass over every prompt, then a measured pass. Reported:
 * judge CPU ms per action, the six services' CPU ms per action, actions/s, p50/p99 through the
 * gateway, and the calibration figure before and after.
 */
import { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../apps/cli/src/mesh';
import { calibrate, writeUnlimitedQuotaFile } from '../load/bench-support';
import { createLatencyHistogram, type LatencySummary } from '../load/latency-histogram';
import { startMeshProcess, type MeshProcess } from '../validate/mesh-process';
import { clockTicksPerSecond, readProcSample } from '../validate/proc-sampler';

const opts = new Command('judge-settings')
  .requiredOption('--setting <NAME=value>', 'the environment variable the second run sets')
  .option('--rounds <n>', 'rounds (each runs the default, then the setting)', '2')
  .option('--concurrency <n>', 'requests in flight', '8')
  .option(
    '--datasets <dir>',
    'datasets folder',
    process.env.NETHICAL_DATASETS ?? '../shared/datasets',
  )
  .option('--port <n>', 'gateway port', '28400')
  .parse()
  .opts<{ setting: string; rounds: string; concurrency: string; datasets: string; port: string }>();

const [settingName, settingValue] = opts.setting.split('=') as [string, string | undefined];
if (!settingName.startsWith('NETHICAL_') || settingValue === undefined)
  throw new Error('--setting must be NETHICAL_NAME=value');

const texts: string[] = [];
for (const file of ['labelled_prompts.jsonl', 'labelled_prompts_more.jsonl'])
  for (const line of readFileSync(path.join(opts.datasets, 'prompts', file), 'utf8').split('\n'))
    if (line) texts.push((JSON.parse(line) as { text: string }).text);

const ticksPerSecond = clockTicksPerSecond();
let agent = 0;

/** Sends every prompt once with `concurrency` in flight. A failed or timed-out request is an error. */
async function pass(
  gatewayUrl: string,
): Promise<{ latency: LatencySummary; errors: number; wallMs: number }> {
  const histogram = createLatencyHistogram();
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < texts.length) {
      const action = texts[next++]!;
      const start = performance.now();
      try {
        const res = await fetch(`${gatewayUrl}/process_action`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ agent_id: `judge-settings-${agent++}`, action }),
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        if (!res.ok) errors++;
      } catch {
        errors++;
      }
      histogram.record(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: Number(opts.concurrency) }, worker));
  return { latency: histogram.summary(), errors, wallMs: performance.now() - t0 };
}

/** CPU ticks per service, keyed by `service@pid` so a restart shows as a missing key, not a delta. */
function cpuTicks(mesh: MeshProcess): Map<string, number> {
  return new Map(
    Object.entries(mesh.readPids()).map(([service, pid]) => [
      `${service}@${pid}`,
      readProcSample(pid)?.cpuTicks ?? 0,
    ]),
  );
}

async function run(label: string, extra: Record<string, string>): Promise<void> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'judge-settings-'));
  const mesh = await startMeshProcess({
    repoRoot,
    stateDir,
    port: Number(opts.port),
    env: {
      NETHICAL_QUOTA_LIMITS_FILE: writeUnlimitedQuotaFile(stateDir),
      NETHICAL_LOG_LEVEL: 'warn',
      ...extra,
    },
  });
  try {
    await pass(mesh.gatewayUrl);
    const before = cpuTicks(mesh);
    const { latency, errors, wallMs } = await pass(mesh.gatewayUrl);
    const after = cpuTicks(mesh);
    const restarted = [...before.keys()].filter((k) => !after.has(k));
    if (restarted.length > 0)
      throw new Error(`${label}: restarted during the pass: ${restarted.join(', ')}`);
    const msPerAction = (service?: string): number => {
      let used = 0;
      for (const [key, ticks] of after)
        if (!service || key.startsWith(`${service}@`)) used += ticks - (before.get(key) ?? 0);
      return ((used / ticksPerSecond) * 1000) / latency.count;
    };
    console.log(
      `${label.padEnd(40)} judge ${msPerAction('policy-judge').toFixed(2)} ms/action, six services ` +
        `${msPerAction().toFixed(2)} ms/action, ${Math.round((latency.count / wallMs) * 1000)}/s, ` +
        `p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms, ` +
        `${errors} errors of ${latency.count}`,
    );
  } finally {
    await mesh.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

console.log(
  `calibration ${calibrate()} ops/s; ${texts.length} prompts per pass, concurrency ${opts.concurrency}`,
);
for (let round = 1; round <= Number(opts.rounds); round++) {
  await run(`round ${round} default`, {});
  await run(`round ${round} ${opts.setting}`, { [settingName]: settingValue });
}
console.log(`calibration ${calibrate()} ops/s`);
