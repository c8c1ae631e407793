import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The mesh runner as a child process: `start-mesh.ts`, which supervises the six services. */
export interface MeshProcess {
  gatewayUrl: string;
  /** Service → pid, re-read from the runner's pid file (a restarted service has a new pid). */
  readPids(): Record<string, number>;
  /** Last lines the runner printed (for error reports). */
  logTail(): string;
  /** SIGTERM (the runner drains every service, gateway first); SIGKILL after the deadline. */
  stop(deadlineMs?: number): Promise<void>;
}

export interface MeshProcessOptions {
  repoRoot: string;
  /** Extra environment for every service (NETHICAL_*). */
  env: Record<string, string>;
  /** NETHICAL_STORAGE_DIR of the run; the runner writes `mesh-pids.json` there. */
  stateDir: string;
  readyTimeoutMs?: number;
  /** Gateway port; the other services take the next five. */
  port?: number | undefined;
}

/** Where the lead's mesh runner lives (it moved from tools/ to apps/cli/). */
export function findMeshScript(repoRoot: string): string {
  const candidates = ['apps/cli/src/start-mesh.ts', 'tools/start-mesh.ts'].map((p) =>
    path.join(repoRoot, p),
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no mesh runner found (looked for ${candidates.join(', ')})`);
  return found;
}

/** Read a `{"gateway": 123, …}` pid file; empty when missing or half-written. */
export function readPidFile(file: string): Record<string, number> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
  } catch {
    return {};
  }
}

/** Spawn the runner and resolve once it prints `gateway listening on <url>`. */
export function startMeshProcess(options: MeshProcessOptions): Promise<MeshProcess> {
  const script = findMeshScript(options.repoRoot);
  // `node --import tsx` rather than `npx tsx`, so the pid we signal is the runner itself.
  const args = [
    '--import',
    'tsx',
    script,
    ...(options.port ? ['--port', String(options.port)] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: options.repoRoot,
    env: { ...process.env, ...options.env, NETHICAL_STORAGE_DIR: options.stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const remember = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stderr.on('data', remember);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pidFile = path.join(options.stateDir, 'mesh-pids.json');

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(
        new Error(
          `mesh not ready after ${options.readyTimeoutMs ?? 180_000} ms:\n${lines.slice(-20).join('\n')}`,
        ),
      );
    }, options.readyTimeoutMs ?? 180_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `mesh runner exited (${signal ?? code}) before ready:\n${lines.slice(-20).join('\n')}`,
        ),
      );
    });
    child.stdout.on('data', (chunk: Buffer) => {
      remember(chunk);
      const match = /gateway listening on (\S+)/.exec(chunk.toString('utf8'));
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolve({
        gatewayUrl: match[1],
        readPids: () => readPidFile(pidFile),
        logTail: () => lines.slice(-20).join('\n'),
        async stop(deadlineMs = 60_000) {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const timeout = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
          await exited;
          clearTimeout(timeout);
        },
      });
    });
  });
}
