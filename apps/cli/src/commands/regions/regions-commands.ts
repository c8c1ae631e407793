import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { repoRoot } from '../../mesh';
import { defaultRegions, type RegionsOptions } from './regions-plan';
import { alive, readState, regionsStatus, type RegionsStatus } from './regions-state';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const supervisorScript = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'regions-supervisor.ts',
);

interface UpFlags {
  stateDir: string;
  regions: string;
  basePort: string;
  redisPort: string;
  redisUrl?: string;
  lbPort: string;
  databaseUrl?: string;
  databasePrefix: string;
  quotaLimits?: string;
  supervise: boolean;
  timeout: string;
  json: boolean;
}

function printStatus(status: RegionsStatus, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  if (status.phase === 'down') {
    process.stdout.write('regions: down\n');
    return;
  }
  process.stdout.write(
    `regions: ${status.phase}; load balancer ${status.lbUrl} (${status.lbReady ? 'ready' : 'not ready'})\n`,
  );
  process.stdout.write(
    `redis cluster: ${status.redis?.seedUrl} (${status.redis?.nodes.length ?? 0} nodes started here)\n`,
  );
  for (const r of status.regions) {
    const pids = Object.entries(r.pids)
      .map(([s, pid]) => `${s}=${pid}${r.alive[s] ? '' : '(dead)'}`)
      .join(' ');
    process.stdout.write(
      `${r.region.padEnd(12)} ${r.gatewayUrl} ${r.ready ? 'ready' : 'NOT READY'} db=${r.database ?? 'pglite'} ${pids}\n`,
    );
  }
}

async function up(flags: UpFlags): Promise<number> {
  const stateDir = path.resolve(flags.stateDir);
  const existing = readState(stateDir);
  if (
    existing &&
    alive(existing.supervisorPid) &&
    existing.phase !== 'stopped' &&
    existing.phase !== 'failed'
  ) {
    process.stderr.write(
      `regions are already up (supervisor ${existing.supervisorPid}); \`nethical regions down\` first\n`,
    );
    return 1;
  }
  mkdirSync(stateDir, { recursive: true });
  const options: RegionsOptions & { supervise: boolean } = {
    repoRoot,
    stateDir,
    regions: flags.regions
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    basePort: Number(flags.basePort),
    redisPort: Number(flags.redisPort),
    redisUrl: flags.redisUrl,
    lbPort: Number(flags.lbPort),
    databaseUrl: flags.databaseUrl,
    databasePrefix: flags.databasePrefix,
    quotaLimits: flags.quotaLimits ? path.resolve(flags.quotaLimits) : undefined,
    supervise: flags.supervise,
  };
  const logFile = path.join(stateDir, 'supervisor.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', supervisorScript, JSON.stringify(options)],
    {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', out, out],
    },
  );
  child.unref();
  process.stderr.write(
    `starting ${options.regions.length} regions (supervisor ${child.pid}, log ${logFile})\n`,
  );
  const deadline = Date.now() + Number(flags.timeout) * 1000;
  while (Date.now() < deadline) {
    await sleep(500);
    const state = readState(stateDir);
    if (!state || state.supervisorPid !== child.pid) continue;
    if (state.phase === 'ready') {
      printStatus(await regionsStatus(stateDir), flags.json);
      return 0;
    }
    if (state.phase === 'failed' || !alive(child.pid)) {
      process.stderr.write(
        `regions failed to start: ${state.error ?? 'supervisor exited'} (see ${logFile})\n`,
      );
      return 1;
    }
  }
  process.stderr.write(`regions not ready after ${flags.timeout} s (see ${logFile}); stopping\n`);
  await down(stateDir);
  return 1;
}

async function down(stateDirFlag: string): Promise<number> {
  const stateDir = path.resolve(stateDirFlag);
  const state = readState(stateDir);
  if (!state || !alive(state.supervisorPid)) {
    process.stderr.write('regions: not running\n');
    return 0;
  }
  process.kill(state.supervisorPid, 'SIGTERM');
  for (let i = 0; i < 240 && alive(state.supervisorPid); i++) await sleep(250);
  if (alive(state.supervisorPid)) {
    process.stderr.write('supervisor did not stop in 60 s: killing it and what it started\n');
    const pids = [
      state.supervisorPid,
      state.haproxyPid,
      ...state.redis.nodes.map((n) => n.pid),
      ...state.regions.flatMap((r) => Object.values(r.pids)),
    ];
    for (const pid of pids) if (alive(pid)) process.kill(pid!, 'SIGKILL');
  }
  process.stderr.write('regions: down\n');
  return 0;
}

async function control(
  stateDirFlag: string,
  region: string,
  action: 'stop' | 'start',
): Promise<number> {
  const state = readState(path.resolve(stateDirFlag));
  if (!state || !alive(state.supervisorPid)) {
    process.stderr.write('regions: not running\n');
    return 1;
  }
  const res = await fetch(`${state.controlUrl}/regions/${encodeURIComponent(region)}/${action}`, {
    method: 'POST',
  });
  process.stdout.write(await res.text());
  process.stdout.write('\n');
  return res.ok ? 0 : 1;
}

/**
 * `nethical regions up|down|status|stop|start`: the seed's three regions on this machine. Each
 * region is a full mesh from `config/<region>.env` on its own ports, with its own database and
 * Merkle log; all share one Redis Cluster (3 masters + 3 replicas); HAProxy balances over their
 * gateways. See docs/regions.md.
 */
export function registerRegionsCommands(program: Command): Command {
  const regions = program
    .command('regions')
    .description('three regions on this machine behind HAProxy (docs/regions.md)');
  const stateOpt = [
    '--state-dir <dir>',
    'state, logs and region storage',
    '.data/regions',
  ] as const;
  regions
    .command('up')
    .description('start the Redis Cluster, every region and HAProxy; returns when all are ready')
    .option(...stateOpt)
    .option(
      '--regions <list>',
      'comma-separated regions (config/<region>.env each)',
      defaultRegions.join(','),
    )
    .option(
      '--base-port <port>',
      'gateway port of the first region; region i uses base + 10·i … + 5, control base + 9',
      '9000',
    )
    .option(
      '--redis-port <port>',
      'first port of the six Redis Cluster nodes (bus: +10000)',
      '7000',
    )
    .option('--redis-url <url>', 'use this Redis Cluster (a seed node) instead of starting one')
    .option('--lb-port <port>', 'HAProxy port', '8080')
    .option(
      '--database-url <url>',
      'PostgreSQL server: one database per region is created on it (default: PGlite per region)',
    )
    .option('--database-prefix <prefix>', 'region database names: <prefix><region>', 'nethical_')
    .option(
      '--quota-limits <file>',
      "every region's quota limits file (default: the region env's, else config/quota/limits.json)",
    )
    .option(
      '--supervise',
      'restart a service that exits (off: a killed region stays down until `regions start`)',
      false,
    )
    .option('--timeout <seconds>', 'give up (and stop everything) after this long', '600')
    .option('--json', 'print the status as JSON when ready', false)
    .action(async (flags: UpFlags) => {
      process.exitCode = await up(flags);
    });
  regions
    .command('down')
    .description('stop HAProxy, every region (drained) and the Redis Cluster')
    .option(...stateOpt)
    .action(async (flags: { stateDir: string }) => {
      process.exitCode = await down(flags.stateDir);
    });
  regions
    .command('status')
    .description(
      'per region: gateway URL, readiness, pids of its processes; the load balancer and Redis',
    )
    .option(...stateOpt)
    .option('--json', 'machine-readable', false)
    .action(async (flags: { stateDir: string; json: boolean }) => {
      printStatus(await regionsStatus(path.resolve(flags.stateDir)), flags.json);
    });
  for (const action of ['stop', 'start'] as const) {
    regions
      .command(`${action} <region>`)
      .description(
        action === 'stop'
          ? 'stop one region (drained)'
          : 'start one region again (after `stop` or a kill)',
      )
      .option(...stateOpt)
      .action(async (region: string, flags: { stateDir: string }) => {
        process.exitCode = await control(flags.stateDir, region, action);
      });
  }
  return regions;
}
