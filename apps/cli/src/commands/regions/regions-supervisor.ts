/**
 * The long-running half of `nethical regions up`, started detached by the command: the shared
 * Redis Cluster, one database per region, one full mesh per region, HAProxy in front, and a small
 * control endpoint to stop and start a region (for failover tests). It records everything in
 * `<stateDir>/regions.json` and, on SIGTERM/SIGINT (`regions down`), stops HAProxy, the meshes
 * (each gateway first, audit last) and the cluster, in that order.
 *
 * Run: node --import tsx regions-supervisor.ts <options as JSON>
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { startRedisCluster, type RedisClusterHandle } from '@nethical/testing';
import pg from 'pg';
import { startMesh, type RunningMesh } from '../../mesh';
import { haproxyConfig } from './haproxy-config';
import { planRegions, type RegionPlan, type RegionsOptions } from './regions-plan';
import { writeState, type RegionsState } from './regions-state';

const options = JSON.parse(process.argv[2] ?? '{}') as RegionsOptions & { supervise?: boolean };
const log = (m: string) => process.stderr.write(`${new Date().toISOString()} [regions] ${m}\n`);
const controlPort = options.basePort + 9;
const state: RegionsState = {
  phase: 'starting',
  supervisorPid: process.pid,
  controlUrl: `http://127.0.0.1:${controlPort}`,
  lbUrl: `http://127.0.0.1:${options.lbPort}`,
  haproxyConfig: path.join(options.stateDir, 'haproxy.cfg'),
  redis: { seedUrl: options.redisUrl ?? '', external: options.redisUrl !== undefined, nodes: [] },
  regions: [],
  startedAt: new Date().toISOString(),
};
const save = () => writeState(options.stateDir, state);

let cluster: RedisClusterHandle | undefined;
let haproxy: ChildProcess | undefined;
let control: Server | undefined;
const meshes = new Map<string, RunningMesh>();
let plans: RegionPlan[] = [];
let stopping = false;

/** Create each region's database when it does not exist (CREATE DATABASE has no IF NOT EXISTS). */
async function createDatabases(): Promise<void> {
  if (!options.databaseUrl) return;
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    for (const plan of plans) {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        plan.database,
      ]);
      if (found.rowCount === 0)
        await client.query(`CREATE DATABASE "${plan.database!.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}

/** Every service of a region gets the parent's environment minus other NETHICAL_* settings. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('NETHICAL_') && !k.startsWith('OTEL_'),
    ),
  );
}

/**
 * Start a region, retrying: a port of a region that was just killed can still be held by a
 * client connection that the kernel gave it as an ephemeral port (ports above 32767 are in
 * Linux's default ephemeral range), which makes a service exit with EADDRINUSE.
 */
async function startRegion(plan: RegionPlan, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRegionOnce(plan);
    } catch (err) {
      if (attempt >= attempts || stopping) throw err;
      log(`${plan.region}: start failed (${(err as Error).message}); retrying in 2 s`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function startRegionOnce(plan: RegionPlan): Promise<void> {
  const mesh = await startMesh({
    env: { ...baseEnv(), ...plan.env },
    basePort: plan.basePort,
    stateDir: plan.storageDir,
    supervise: options.supervise === true,
    readyTimeoutMs: 300_000,
    onEvent: (m) => log(`${plan.region}: ${m}`),
  });
  meshes.set(plan.region, mesh);
  const record = state.regions.find((r) => r.region === plan.region)!;
  record.urls = mesh.urls;
  record.pids = mesh.pids();
  record.running = true;
  save();
  log(`${plan.region} ready at ${plan.gatewayUrl}`);
}

async function stopRegion(region: string): Promise<void> {
  const mesh = meshes.get(region);
  meshes.delete(region);
  await mesh?.stop();
  const record = state.regions.find((r) => r.region === region);
  if (record) record.running = false;
  save();
}

async function startHaproxy(): Promise<void> {
  const cfg = haproxyConfig({
    bindPort: options.lbPort,
    servers: plans.map((p) => ({ region: p.region, host: '127.0.0.1', port: p.basePort })),
  });
  writeFileSync(state.haproxyConfig, cfg);
  const child = spawn('haproxy', ['-db', '-f', state.haproxyConfig], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  haproxy = child;
  state.haproxyPid = child.pid;
  let exit = '';
  child.on('exit', (code, signal) => {
    exit = String(signal ?? code);
    if (!stopping) log(`haproxy exited (${exit})`);
  });
  child.on('error', (err) => (exit = err.message));
  // Ready when HAProxy answers /readyz through a checked gateway (checks need `rise 2`).
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exit) throw new Error(`haproxy exited (${exit}); config ${state.haproxyConfig}`);
    try {
      const res = await fetch(`${state.lbUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`load balancer ${state.lbUrl} not ready in 30 s`);
}

/** POST /regions/<region>/stop | /start: take a region down (SIGTERM, drained) or bring it back. */
function startControl(): Promise<void> {
  control = createServer((req, res) => {
    const m = /^\/regions\/([^/]+)\/(stop|start)$/.exec(req.url ?? '');
    const plan = m ? plans.find((p) => p.region === m[1]) : undefined;
    if (req.method !== 'POST' || !m || !plan) {
      res.writeHead(404).end('POST /regions/<region>/stop|start\n');
      return;
    }
    const work =
      m[2] === 'stop'
        ? stopRegion(plan.region)
        : stopRegion(plan.region).then(() => startRegion(plan));
    work.then(
      () =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(state.regions.find((r) => r.region === plan.region))),
      (err: Error) => res.writeHead(500).end(`${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    control!.once('error', reject);
    control!.listen(controlPort, '127.0.0.1', () => resolve());
  });
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  state.phase = 'stopping';
  save();
  log(`${signal}: stopping HAProxy, regions, Redis Cluster`);
  control?.close();
  if (haproxy && haproxy.exitCode === null) {
    const exited = new Promise((r) => haproxy!.once('exit', r));
    haproxy.kill('SIGTERM');
    await exited;
  }
  await Promise.allSettled([...meshes.keys()].map((r) => stopRegion(r)));
  await cluster?.stop();
  state.phase = state.error ? 'failed' : 'stopped';
  save();
  log('stopped');
  process.exit(0);
}

async function main(): Promise<void> {
  mkdirSync(options.stateDir, { recursive: true });
  save();
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  if (!options.redisUrl) {
    // The test harness's cluster builder (same redis-server binaries, `--cluster create`): one
    // implementation of cluster creation rather than two.
    cluster = await startRedisCluster({
      masters: 3,
      replicasPerMaster: 1,
      portRange: [options.redisPort, options.redisPort + 99],
    });
    const seed = cluster.startupNodes[0]!;
    state.redis.seedUrl = `redis://${seed.host}:${seed.port}`;
    state.redis.nodes = cluster.nodes.map((n) => ({ port: n.port, pid: n.pid }));
    log(`redis cluster up: ${cluster.nodes.map((n) => n.port).join(', ')}`);
  }
  plans = planRegions(options, state.redis.seedUrl);
  state.regions = plans.map((p) => ({
    region: p.region,
    gatewayUrl: p.gatewayUrl,
    urls: {},
    stateDir: p.storageDir,
    database: p.database,
    pids: {},
    running: false,
  }));
  save();
  await createDatabases();
  await startControl();
  // One region at a time: each start bundles the services and boots six processes.
  for (const plan of plans) await startRegion(plan);
  await startHaproxy();
  state.phase = 'ready';
  save();
  log(`ready: load balancer ${state.lbUrl}`);
}

main().catch(async (err: Error) => {
  log(`failed: ${err.stack ?? err.message}`);
  state.phase = 'failed';
  state.error = err.message;
  save();
  await shutdown('failure');
});
