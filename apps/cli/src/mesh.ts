import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgeNodeFlags } from '@nethical/platform';
import { bundleServices } from './bundle-services';

/** The six services in start order; shutdown goes the other way (gateway first). */
export const services = ['audit-store', 'merkle-anchor', 'ml-scorer', 'quota', 'policy-judge', 'gateway'] as const;
export type MeshService = (typeof services)[number];

const offsets: Record<MeshService, number> = {
  gateway: 0,
  quota: 1,
  'policy-judge': 2,
  'ml-scorer': 3,
  'audit-store': 4,
  'merkle-anchor': 5,
};

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface MeshOptions {
  /** Environment for every service (NETHICAL_* settings). */
  env: NodeJS.ProcessEnv;
  /** Gateway port; the others take the next five ports. */
  basePort: number;
  host?: string;
  /** Folder for logs and the pid file. */
  stateDir: string;
  /** Stream service logs to this process's stdout instead of files only. */
  streamLogs?: boolean;
  /** Restart a service that exits unexpectedly. */
  supervise?: boolean;
  readyTimeoutMs?: number;
  onEvent?: (message: string) => void;
  /** Extra Node.js flags for every service, e.g. `--cpu-prof --cpu-prof-dir=prof` to profile. */
  nodeArgs?: string[];
}

export interface RunningMesh {
  gatewayUrl: string;
  urls: Record<MeshService, string>;
  pids(): Record<MeshService, number>;
  /** Kill one service (for failover tests); the supervisor restarts it when on. */
  kill(service: MeshService, signal?: NodeJS.Signals): void;
  waitReady(service: MeshService, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The env every service gets: ports and the addresses of the others. */
export function meshEnv(options: Pick<MeshOptions, 'env' | 'basePort' | 'host'>): {
  urls: Record<MeshService, string>;
  envFor: (s: MeshService) => NodeJS.ProcessEnv;
} {
  const host = options.host ?? '127.0.0.1';
  const port = (s: MeshService) => options.basePort + offsets[s];
  const urls = Object.fromEntries(services.map((s) => [s, `http://${host}:${port(s)}`])) as Record<MeshService, string>;
  const shared = {
    ...options.env,
    NETHICAL_HOST: host,
    NETHICAL_QUOTA_URL: urls.quota,
    NETHICAL_JUDGE_URL: urls['policy-judge'],
    NETHICAL_ML_URL: urls['ml-scorer'],
    NETHICAL_AUDIT_URL: urls['audit-store'],
    NETHICAL_MERKLE_URL: urls['merkle-anchor'],
  };
  return { urls, envFor: (s) => ({ ...shared, NETHICAL_PORT: String(port(s)) }) };
}

/**
 * Node flags a service needs at start: the judge's regexp flag (libs/platform/src/regexp-tier-up.ts).
 */
export function serviceNodeFlags(s: MeshService, env: NodeJS.ProcessEnv): string[] {
  return s === 'policy-judge' ? judgeNodeFlags(env) : [];
}

async function waitForReady(url: string, deadline: number, isAlive: () => boolean): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`exited before becoming ready (${last})`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      last = `readyz ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`not ready in time (${last})`);
}

/**
 * Start the six services as child processes, wait until every one answers /readyz, and keep
 * them running (restarting crashed ones when supervised). stop() shuts them down gateway first,
 * each with SIGTERM so it drains and flushes, SIGKILL only after a deadline.
 */
export async function startMesh(options: MeshOptions): Promise<RunningMesh> {
  const { urls, envFor } = meshEnv(options);
  const say = options.onEvent ?? (() => {});
  const logDir = path.join(options.stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const children = new Map<MeshService, ChildProcess>();
  const logs = new Map<MeshService, WriteStream>();
  let stopping = false;
  const pidFile = path.join(options.stateDir, 'mesh-pids.json');
  const writePids = () =>
    writeFileSync(pidFile, JSON.stringify(Object.fromEntries([...children].map(([s, c]) => [s, c.pid ?? 0]))));

  const entry = await bundleServices(repoRoot, services);
  const launch = (s: MeshService): ChildProcess => {
    const log = logs.get(s) ?? createWriteStream(path.join(logDir, `${s}.log`), { flags: 'a' });
    logs.set(s, log);
    const env = envFor(s);
    const args = [...serviceNodeFlags(s, env), ...(options.nodeArgs ?? []), entry[s] as string];
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        log.write(chunk);
        if (options.streamLogs) process.stdout.write(chunk);
      });
    }
    child.on('exit', (code, signal) => {
      if (stopping || children.get(s) !== child) return;
      say(`${s} exited (${signal ?? code}); see ${path.join(logDir, `${s}.log`)}`);
      if (options.supervise) {
        setTimeout(() => {
          if (stopping) return;
          say(`restarting ${s}`);
          children.set(s, launch(s));
          writePids();
        }, 500);
      }
    });
    return child;
  };

  for (const s of services) children.set(s, launch(s));
  writePids();
  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
  const waitReady = async (s: MeshService, timeoutMs?: number) => {
    const child = () => children.get(s);
    const start = child();
    await waitForReady(urls[s], timeoutMs ? Date.now() + timeoutMs : deadline, () => {
      const c = child();
      return !!c && (c !== start || c.exitCode === null) && c.exitCode === null;
    }).catch((err: Error) => {
      throw new Error(`${s} at ${urls[s]}: ${err.message}`);
    });
  };

  const stop = async () => {
    stopping = true;
    for (const s of [...services].reverse()) {
      const child = children.get(s);
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    for (const log of logs.values()) log.end();
  };

  try {
    await Promise.all(services.map((s) => waitReady(s)));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    gatewayUrl: urls.gateway,
    urls,
    pids: () => Object.fromEntries([...children].map(([s, c]) => [s, c.pid ?? 0])) as Record<MeshService, number>,
    kill: (s, signal = 'SIGKILL') => void children.get(s)?.kill(signal),
    waitReady,
    stop,
  };
}
