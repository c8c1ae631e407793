import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { defaultMix, formatMix } from '../load/action-generator';
import type { LoadSummary } from '../load/load-summary';
import { runLoad, type LoadConfig, type RequestResult } from '../load/run-load';
import { storageStats, type StorageStats } from './database';
import { createProcessSampler, type ServiceUsage } from './proc-sampler';
import type { TestResult } from './report';
import { fullStorageCount, type ValidateOptions } from './validate-options';

/** What every test needs: options, the gateway and the service pids. */
export interface RunContext {
  options: ValidateOptions;
  gatewayUrl: string;
  readPids: () => Record<string, number>;
  log: (line: string) => void;
  /** Whether the audit database is ours to measure (the mesh was started with it). */
  measureDatabase: boolean;
}

export interface LoadShape {
  name: string;
  rps: number;
  durationSec: number;
  agents: number;
  slo: LoadConfig['slo'];
  timeoutMs?: number;
}

/** The LoadConfig of one test. */
export function loadConfigFor(ctx: RunContext, shape: LoadShape): LoadConfig {
  const o = ctx.options;
  return {
    endpoint: ctx.gatewayUrl,
    protocol: o.protocol,
    agents: shape.agents,
    rps: shape.rps,
    durationSec: shape.durationSec,
    warmupSec: o.warmupSec,
    connections: o.connections,
    mix: defaultMix,
    seed: o.seed,
    maxInFlight: o.maxInFlight,
    timeoutMs: shape.timeoutMs ?? o.timeoutMs,
    output: path.join(o.outDir, `${shape.name}.csv`),
    slo: shape.slo,
    apiKey: o.apiKey,
  };
}

/** The standalone command that reproduces a test's load. */
export function commandFor(config: LoadConfig): string {
  const slo = [
    config.slo.p99Ms !== undefined ? `--slo-p99-ms ${config.slo.p99Ms}` : '',
    config.slo.errorRate !== undefined ? `--slo-error-rate ${config.slo.errorRate}` : '',
  ].filter(Boolean);
  return [
    'npx tsx perf/load/main.ts',
    `--endpoint ${config.endpoint} --protocol ${config.protocol}`,
    `--agents ${config.agents} --rps ${config.rps} --duration ${config.durationSec} --warmup ${config.warmupSec}`,
    `--connections ${config.connections} --max-in-flight ${config.maxInFlight} --timeout-ms ${config.timeoutMs}`,
    `--mix ${formatMix(config.mix)} --seed ${config.seed}`,
    ...slo,
    `--output ${config.output}`,
  ].join(' ');
}

/** Run a load while sampling every service's CPU and memory once a second. */
export async function measuredLoad(
  ctx: RunContext,
  config: LoadConfig,
  onResult?: (r: RequestResult) => void,
): Promise<{ summary: LoadSummary; usage: Record<string, ServiceUsage> }> {
  const sampler = createProcessSampler(ctx.readPids);
  sampler.sample(Date.now());
  const timer = setInterval(() => sampler.sample(Date.now()), 1000);
  try {
    const summary = await runLoad(config, { onResult, progress: (line) => ctx.log(line) });
    return { summary, usage: sampler.usage() };
  } finally {
    clearInterval(timer);
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
const rateOk = (s: LoadSummary): boolean => s.achievedRps >= 0.95 * s.target.rps;
const latencyLine = (s: LoadSummary): string =>
  `p95 ${s.latency.p95Ms} ms, p99 ${s.latency.p99Ms} ms`;

/** Test 1: the sustained rate. */
export async function sustainedTest(ctx: RunContext): Promise<TestResult> {
  const t = ctx.options.sustained;
  const config = loadConfigFor(ctx, {
    name: 'test-1-sustained',
    rps: t.rps,
    durationSec: t.durationSec,
    agents: t.agents,
    slo: { p99Ms: t.p99Ms, errorRate: t.errorRate },
  });
  const { summary, usage } = await measuredLoad(ctx, config);
  const passed = summary.slo.passed && summary.latency.p95Ms <= t.p95Ms && rateOk(summary);
  return {
    row: {
      id: '1',
      test: 'Sustained throughput',
      target: `${t.rps} RPS for ${t.durationSec} s`,
      expected: `≥ ${(0.95 * t.rps).toFixed(0)} RPS, p95 ≤ ${t.p95Ms} ms, p99 ≤ ${t.p99Ms} ms, errors ≤ ${pct(t.errorRate)}`,
      achieved: `${summary.achievedRps.toFixed(1)} RPS, ${latencyLine(summary)}, errors ${pct(summary.errorRate)}`,
      passed,
    },
    command: commandFor(config),
    load: summary,
    usage,
    details: [],
  };
}

/** Test 2: the peak rate. */
export async function peakTest(ctx: RunContext): Promise<TestResult> {
  const t = ctx.options.peak;
  const config = loadConfigFor(ctx, {
    name: 'test-2-peak',
    rps: t.rps,
    durationSec: t.durationSec,
    agents: t.agents,
    slo: { p99Ms: t.p99Ms, errorRate: t.errorRate },
  });
  const { summary, usage } = await measuredLoad(ctx, config);
  return {
    row: {
      id: '2',
      test: 'Peak throughput',
      target: `${t.rps} RPS for ${t.durationSec} s`,
      expected: `≥ ${(0.95 * t.rps).toFixed(0)} RPS, p99 ≤ ${t.p99Ms} ms, errors ≤ ${pct(t.errorRate)}`,
      achieved: `${summary.achievedRps.toFixed(1)} RPS, ${latencyLine(summary)}, errors ${pct(summary.errorRate)}`,
      passed: summary.slo.passed && rateOk(summary),
    },
    command: commandFor(config),
    load: summary,
    usage,
    details: [],
  };
}

/** Test 3: many distinct agents, each served at least once. */
export async function concurrentAgentsTest(ctx: RunContext): Promise<TestResult> {
  const t = ctx.options.concurrent;
  // Every agent needs at least one request: the run is at least agents / rps long.
  const durationSec = Math.max(t.durationSec, Math.ceil(t.agents / t.rps));
  const config = loadConfigFor(ctx, {
    name: 'test-3-concurrent-agents',
    rps: t.rps,
    durationSec,
    agents: t.agents,
    slo: { p99Ms: t.p99Ms, errorRate: t.errorRate },
  });
  const served = new Set<string>();
  const { summary, usage } = await measuredLoad(ctx, config, (r) => {
    if (r.outcome.ok) served.add(r.agentId);
  });
  return {
    row: {
      id: '3',
      test: 'Concurrent agents',
      target: `${t.agents.toLocaleString('en-US')} distinct agents at ${t.rps} RPS`,
      expected: `every agent served, p99 ≤ ${t.p99Ms} ms, errors ≤ ${pct(t.errorRate)}`,
      achieved: `${served.size.toLocaleString('en-US')} agents served, ${latencyLine(summary)}, errors ${pct(summary.errorRate)}`,
      passed: summary.slo.passed && served.size >= t.agents,
    },
    command: commandFor(config),
    load: summary,
    usage,
    details: [`${served.size} of ${t.agents} agents got at least one OK answer.`],
  };
}

const run = promisify(execFile);
const gb = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;

/** Test 4: audited actions land in storage; projects the size of the full 10M run. */
export async function storageTest(ctx: RunContext): Promise<TestResult> {
  const t = ctx.options.storage;
  const count = t.full ? fullStorageCount : t.count;
  const before = ctx.measureDatabase
    ? await storageStats(ctx.options.databaseUrl).catch(() => undefined)
    : undefined;
  let summary: LoadSummary | undefined;
  let usage: Record<string, ServiceUsage> = {};
  let command: string;
  let written: number;
  if (t.ingestCommand) {
    // Bulk ingest (e.g. perf/audit's) straight into the audit store, for the full-scale count.
    command = t.ingestCommand;
    const env = {
      ...process.env,
      NETHICAL_DATABASE_URL: ctx.options.databaseUrl,
      NETHICAL_PERF_COUNT: String(count),
    };
    await run('sh', ['-c', t.ingestCommand], { env, maxBuffer: 64 * 1024 * 1024 });
    written = count;
  } else {
    const config = loadConfigFor(ctx, {
      name: 'test-4-storage',
      rps: t.rps,
      durationSec: count / t.rps,
      agents: t.agents,
      slo: { errorRate: t.errorRate },
    });
    command = commandFor(config);
    ({ summary, usage } = await measuredLoad(ctx, config));
    written = summary.ok;
  }
  const after = before
    ? await storageStats(ctx.options.databaseUrl).catch(() => undefined)
    : undefined;
  const details: string[] = [];
  let achieved = `${written.toLocaleString('en-US')} actions audited`;
  let passed = summary ? summary.slo.passed : true;
  if (before && after) {
    const rows =
      before.auditRecords !== null && after.auditRecords !== null
        ? after.auditRecords - before.auditRecords
        : null;
    const perRecord = rows ? (after.databaseBytes - before.databaseBytes) / rows : null;
    details.push(...storageDetails(before, after, rows, perRecord));
    if (rows !== null) {
      achieved += `, +${rows.toLocaleString('en-US')} audit rows`;
      passed &&= rows >= written;
    }
    if (perRecord !== null)
      achieved += `, ${perRecord.toFixed(0)} B/record → ${gb(perRecord * fullStorageCount)} at 10M`;
  } else {
    details.push(
      'Database not measured (no PostgreSQL of ours, or audit_records not found): row count unchecked.',
    );
    passed = false;
  }
  return {
    row: {
      id: '4',
      test: 'Storage (audit trail)',
      target: `${count.toLocaleString('en-US')} audited actions${t.full ? '' : ` (scaled; full run ${fullStorageCount.toLocaleString('en-US')})`}`,
      expected: `every OK action has an audit row, errors ≤ ${pct(t.errorRate)}`,
      achieved,
      passed,
    },
    command,
    load: summary,
    usage,
    details,
  };
}

function storageDetails(
  before: StorageStats,
  after: StorageStats,
  rows: number | null,
  perRecord: number | null,
): string[] {
  return [
    `Audit rows before/after: ${before.auditRecords ?? 'n/a'} → ${after.auditRecords ?? 'n/a'} (+${rows ?? 'n/a'}).`,
    `Database size before/after: ${gb(before.databaseBytes)} → ${gb(after.databaseBytes)}.`,
    perRecord !== null
      ? `≈ ${perRecord.toFixed(0)} bytes per audited action including indexes; linear projection for ${fullStorageCount.toLocaleString('en-US')}: ${gb(perRecord * fullStorageCount)} (a projection, not a measurement).`
      : 'Bytes per record: n/a.',
  ];
}
