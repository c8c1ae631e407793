import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Throwaway Redis servers for tests, started from the Debian `redis-server` / `redis-cli`
 * binaries on free loopback ports with data in a temp dir: a standalone server you may stop and
 * restart (never the shared 6379 one), and a Redis Cluster (default 3 masters × 1 replica) with a
 * short node timeout so failover takes about two seconds.
 */

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const live = new Set<ChildProcess>();
// Do not leak servers when a test run dies before its teardown.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** One running `redis-server`. */
export interface RedisServerHandle {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly pid: number;
  /** Send a signal (default SIGKILL) and wait until the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Run `redis-cli -p <port> <args>` and return its trimmed output. */
  cli(...args: string[]): Promise<string>;
}

/** Options of `startRedisServer`. */
export interface StartRedisServerOptions {
  /** Port to listen on (default: a free one); reuse a port to "restart" a server. */
  port?: number;
  /** Data directory (default: a new temp dir, removed by `stop()`). */
  dir?: string;
  /** Extra `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
  args?: string[];
}

/** A standalone server plus `stop()`, which kills it and removes its temp dir. */
export interface StandaloneRedis extends RedisServerHandle {
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (and, with `alsoPlus`, port + alsoPlus free too). */
export async function freePort(alsoPlus?: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await isFree(port)) && (alsoPlus === undefined || (await isFree(port + alsoPlus)))) {
      return port;
    }
  }
  throw new Error('no free port found');
}

async function freePortIn(range: readonly [number, number], taken: number[]): Promise<number> {
  for (let port = range[0]; port <= range[1]; port++) {
    if (taken.includes(port)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
  throw new Error(`no free port in ${range[0]}-${range[1]}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function launch(port: number, dir: string, args: string[]): Promise<RedisServerHandle> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
      '--logfile',
      '',
      ...args,
    ],
    { stdio: 'ignore' },
  );
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => live.delete(child));
  const cli = async (...cmd: string[]) =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...cmd])).stdout.trim();
  const handle: RedisServerHandle = {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    cli,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited at start`);
    try {
      if ((await cli('ping')) === 'PONG') return handle;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  await handle.kill();
  throw new Error(`redis-server on port ${port} did not start`);
}

/** Start a standalone `redis-server` on a free (or the given) loopback port. */
export async function startRedisServer(
  options: StartRedisServerOptions = {},
): Promise<StandaloneRedis> {
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'nethical-redis-')));
  const handle = await launch(port, dir, options.args ?? []);
  return {
    ...handle,
    async stop() {
      await handle.kill('SIGKILL');
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Options of `startRedisCluster`. */
export interface StartRedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** `cluster-node-timeout` in ms (default 1000: fast failover in tests). */
  nodeTimeoutMs?: number;
  /**
   * Pick node ports from this inclusive range instead of anywhere in 20000-50000 (a suite that
   * owns a port range). The cluster bus uses port + 10000, which must be free too.
   */
  portRange?: readonly [number, number];
}

/** A running Redis Cluster. */
export interface RedisClusterHandle {
  readonly nodes: readonly RedisServerHandle[];
  /** `[{ host, port }]` for `new Cluster(startupNodes)`. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** The live node serving `key`'s hash slot as master (waits through a failover). */
  masterForKey(key: string, timeoutMs?: number): Promise<RedisServerHandle>;
  /** Wait until every live node reports `cluster_state:ok` (default 15 s). */
  waitForOk(timeoutMs?: number): Promise<void>;
  /** Kill every node and remove the temp dir. */
  stop(): Promise<void>;
}

/**
 * Start `masters × (1 + replicasPerMaster)` cluster-enabled servers, join them with
 * `redis-cli --cluster create … --cluster-replicas N --cluster-yes`, and wait until the cluster
 * is ok and every replica is in sync (so a failover test can rely on promotion).
 */
export async function startRedisCluster(
  options: StartRedisClusterOptions = {},
): Promise<RedisClusterHandle> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const dir = await mkdtemp(join(tmpdir(), 'nethical-redis-cluster-'));
  const nodes: RedisServerHandle[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    while (ports.length < masters * (1 + replicas)) {
      // The cluster bus listens on port + 10000.
      const port = options.portRange
        ? await freePortIn(options.portRange, ports)
        : await freePort(10_000);
      if (!ports.includes(port) && port + 10_000 < 65_536) ports.push(port);
    }
    const args = (port: number) => [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
      '--cluster-node-timeout',
      String(options.nodeTimeoutMs ?? 1000),
      '--cluster-replica-validity-factor',
      '0',
      '--repl-diskless-sync-delay',
      '0',
    ];
    nodes.push(...(await Promise.all(ports.map((port) => launch(port, dir, args(port))))));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    const handle: RedisClusterHandle = {
      nodes,
      startupNodes: ports.map((port) => ({ host: '127.0.0.1', port })),
      async masterForKey(key, timeoutMs = 20_000) {
        // Polls: right after a kill the other nodes still list the dead master (or no master).
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const alive = await liveNodes(nodes);
          const slot = Number(await alive[0]!.cli('cluster', 'keyslot', key));
          const port = slotOwner(await alive[0]!.cli('cluster', 'nodes'), slot);
          const node = alive.find((n) => n.port === port);
          if (node && (await node.cli('role')).startsWith('master')) return node;
          if (Date.now() > deadline) throw new Error(`no live master for slot ${slot}`);
          await sleep(100);
        }
      },
      async waitForOk(timeoutMs = 15_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const alive = await liveNodes(nodes);
          const infos = await Promise.all(alive.map((n) => n.cli('cluster', 'info')));
          if (infos.every((info) => info.includes('cluster_state:ok'))) return;
          if (Date.now() > deadline) throw new Error('cluster_state did not become ok');
          await sleep(100);
        }
      },
      stop,
    };
    await handle.waitForOk();
    await waitForReplicas(nodes, masters * replicas);
    return handle;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Port of the master owning `slot` in `CLUSTER NODES` output (ignoring failed nodes). */
function slotOwner(clusterNodes: string, slot: number): number | undefined {
  for (const line of clusterNodes.split('\n')) {
    const parts = line.split(' ');
    if (!parts[2]?.includes('master') || parts[2].includes('fail')) continue;
    for (const range of parts.slice(8)) {
      const [lo, hi] = range.split('-').map(Number);
      if (lo !== undefined && slot >= lo && slot <= (hi ?? lo)) {
        return Number(parts[1]?.split(':')[1]?.split('@')[0]);
      }
    }
  }
  return undefined;
}

async function liveNodes(nodes: readonly RedisServerHandle[]): Promise<RedisServerHandle[]> {
  const alive = await Promise.all(
    nodes.map((n) =>
      n.cli('ping').then(
        (r) => (r === 'PONG' ? n : undefined),
        () => undefined,
      ),
    ),
  );
  const out = alive.filter((n): n is RedisServerHandle => n !== undefined);
  if (out.length === 0) throw new Error('no live cluster node');
  return out;
}

async function waitForReplicas(
  nodes: readonly RedisServerHandle[],
  expected: number,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const infos = await Promise.all(nodes.map((n) => n.cli('info', 'replication')));
    const synced = infos.filter(
      (i) => i.includes('role:slave') && i.includes('master_link_status:up'),
    );
    if (synced.length >= expected) return;
    if (Date.now() > deadline) throw new Error('replicas did not sync');
    await sleep(100);
  }
}
