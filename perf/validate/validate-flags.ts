import { z } from 'zod';
import { parseSeconds } from '../load/load-options';
import { protocols } from '../load/senders/sender';
import {
  defaultValidateOptions as d,
  meshPortOffsets,
  type ValidateOptions,
} from './validate-options';

/** `[flags, description, default]` of every harness option, for commander. */
export const validateFlagSpecs: [string, string, string | boolean | undefined][] = [
  ['--quick', 'smoke run: every test 10–15 s, 2,000 agents, 2,000 stored actions', false],
  ['--only <tests>', 'comma-separated tests to run (1..5)', d.only.join(',')],
  ['--endpoint <url>', 'use a running gateway instead of starting the mesh', undefined],
  [
    '--pids-file <file>',
    'with --endpoint: the mesh pid file, for CPU/memory and failover',
    undefined,
  ],
  ['--protocol <p>', 'http | grpc | connect', d.protocol],
  [
    '--out-dir <dir>',
    'where reports, CSVs and mesh state go (a timestamped folder inside)',
    d.outDir,
  ],
  ['--seed <n>', 'seed of the action texts', String(d.seed)],
  ['--api-key <key>', 'gateway API key (default: $NETHICAL_LOAD_API_KEY)', undefined],
  ['--warmup <d>', 'unrecorded warm-up before each test', String(d.warmupSec)],
  ['--connections <n>', 'client connections', String(d.connections)],
  ['--timeout-ms <n>', 'per-request timeout', String(d.timeoutMs)],
  [
    '--max-in-flight <n>',
    'outstanding request cap (over it: dropped, counted as errors)',
    String(d.maxInFlight),
  ],
  [
    '--mesh-port <port>',
    'gateway port of the started mesh (pick another when a dev mesh holds 8000)',
    String(d.meshPort),
  ],
  ['--redis-url <url>', 'NETHICAL_REDIS_URL of the mesh', d.redisUrl],
  [
    '--database-url <url>',
    'NETHICAL_DATABASE_URL of the mesh (created when missing)',
    d.databaseUrl,
  ],
  ['--env <pairs>', 'extra service variables, KEY=VALUE,KEY=VALUE', ''],
  ['--sustained-rps <n>', 'Test 1 rate', String(d.sustained.rps)],
  ['--sustained-duration <d>', 'Test 1 length', String(d.sustained.durationSec)],
  ['--peak-rps <n>', 'Test 2 rate', String(d.peak.rps)],
  ['--peak-duration <d>', 'Test 2 length', String(d.peak.durationSec)],
  ['--concurrent-agents <n>', 'Test 3 distinct agents', String(d.concurrent.agents)],
  ['--concurrent-rps <n>', 'Test 3 rate', String(d.concurrent.rps)],
  [
    '--concurrent-duration <d>',
    'Test 3 length (at least agents / rps)',
    String(d.concurrent.durationSec),
  ],
  ['--storage-count <n>', 'Test 4 audited actions (scaled)', String(d.storage.count)],
  ['--storage-rps <n>', 'Test 4 rate', String(d.storage.rps)],
  [
    '--storage-full',
    'Test 4 at the full 10,000,000 actions (hours through the gateway; see --storage-ingest-cmd)',
    false,
  ],
  [
    '--storage-ingest-cmd <cmd>',
    'Test 4 via a bulk-ingest command (gets NETHICAL_DATABASE_URL, NETHICAL_PERF_COUNT)',
    undefined,
  ],
  ['--failover-service <name>', 'Test 5 service to kill -9', d.failover.service],
  ['--failover-rps <n>', 'Test 5 rate', String(d.failover.rps)],
  ['--failover-duration <d>', 'Test 5 length', String(d.failover.durationSec)],
  ['--failover-kill-at <d>', 'Test 5 kill time after warm-up', String(d.failover.killAtSec)],
  ['--failover-max-recovery <d>', 'Test 5 pass threshold', String(d.failover.maxRecoverySec)],
];

const int = z.coerce.number().int().positive();
const rate = z.coerce.number().positive();
const seconds = z.string().transform((v, ctx) => {
  try {
    return parseSeconds(v);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const flagsSchema = z.object({
  quick: z.boolean(),
  only: z
    .string()
    .transform((v) => v.split(',').map(Number))
    .pipe(z.array(z.number().int().min(1).max(5)).min(1)),
  endpoint: z.string().url().optional(),
  pidsFile: z.string().optional(),
  protocol: z.enum(protocols),
  outDir: z.string().min(1),
  seed: z.coerce.number().int().min(0),
  apiKey: z.string().optional(),
  warmup: seconds,
  connections: int,
  timeoutMs: int,
  maxInFlight: int,
  meshPort: int.max(65_530),
  redisUrl: z.string().url(),
  databaseUrl: z.string().url(),
  env: z.string().transform((v, ctx) => {
    const pairs = v
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => p.split('='));
    if (pairs.some((p) => p.length < 2 || !/^NETHICAL_[A-Z0-9_]+$/.test(p[0] ?? '')))
      ctx.addIssue({ code: 'custom', message: 'expected NETHICAL_X=value,…' });
    return Object.fromEntries(pairs.map(([k, ...rest]) => [k, rest.join('=')])) as Record<
      string,
      string
    >;
  }),
  sustainedRps: rate,
  sustainedDuration: seconds,
  peakRps: rate,
  peakDuration: seconds,
  concurrentAgents: int,
  concurrentRps: rate,
  concurrentDuration: seconds,
  storageCount: int,
  storageRps: rate,
  storageFull: z.boolean(),
  storageIngestCmd: z.string().optional(),
  failoverService: z.enum(Object.keys(meshPortOffsets) as [string, ...string[]]),
  failoverRps: rate,
  failoverDuration: seconds,
  failoverKillAt: seconds,
  failoverMaxRecovery: seconds,
});

/** Options plus whether the audit database is ours to measure. */
export type ParsedValidateOptions = ValidateOptions & { measureDatabase: boolean };

/**
 * Validate the flags (all errors at once, then exit 1) into options. `fromCli` tells which
 * flags the user typed, so `--quick` scales only what was left at its default.
 */
export function parseValidateFlags(
  raw: Record<string, unknown>,
  fromCli: (name: string) => boolean,
): ParsedValidateOptions {
  const parsed = flagsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues.map((i) => `--${String(i.path[0] ?? '')}: ${i.message}`).join('\n'),
    );
  }
  const f = parsed.data;
  const q = (name: string, full: number, quick: number): number =>
    f.quick && !fromCli(name) ? quick : full;
  return {
    endpoint: f.endpoint,
    pidsFile: f.pidsFile,
    protocol: f.protocol,
    outDir: f.outDir,
    only: f.only,
    seed: f.seed,
    apiKey: f.apiKey ?? (process.env.NETHICAL_LOAD_API_KEY || undefined),
    warmupSec: q('warmup', f.warmup, 2),
    connections: f.connections,
    timeoutMs: f.timeoutMs,
    maxInFlight: f.maxInFlight,
    meshPort: f.meshPort,
    redisUrl: f.redisUrl,
    databaseUrl: f.databaseUrl,
    serviceEnv: f.env,
    measureDatabase: !f.endpoint || fromCli('databaseUrl'),
    sustained: {
      ...d.sustained,
      rps: f.sustainedRps,
      durationSec: q('sustainedDuration', f.sustainedDuration, 15),
    },
    peak: { ...d.peak, rps: f.peakRps, durationSec: q('peakDuration', f.peakDuration, 10) },
    concurrent: {
      ...d.concurrent,
      agents: q('concurrentAgents', f.concurrentAgents, 2_000),
      rps: f.concurrentRps,
      durationSec: q('concurrentDuration', f.concurrentDuration, 10),
    },
    storage: {
      ...d.storage,
      count: q('storageCount', f.storageCount, 2_000),
      rps: f.storageRps,
      full: f.storageFull,
      ingestCommand: f.storageIngestCmd,
    },
    failover: {
      ...d.failover,
      service: f.failoverService,
      rps: f.failoverRps,
      durationSec: q('failoverDuration', f.failoverDuration, 30),
      killAtSec: q('failoverKillAt', f.failoverKillAt, 8),
      maxRecoverySec: f.failoverMaxRecovery,
    },
  };
}
