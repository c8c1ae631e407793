import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster for tests that kill the database (never the shared 5432 one):
 * Debian's `initdb` and `postgres` binaries, data in a temp dir, trust auth on one loopback port.
 * Run as root (CI), the server runs as the `postgres` user, as PostgreSQL requires.
 */

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** The newest `/usr/lib/postgresql/<version>/bin`, or NETHICAL_PG_BINDIR; undefined if none. */
export function postgresBinDir(): string | undefined {
  if (process.env.NETHICAL_PG_BINDIR) return process.env.NETHICAL_PG_BINDIR;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

export interface PostgresServer {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  /** The postmaster's pid (changes on restart). */
  pid(): number;
  /** Signal the postmaster (default SIGKILL) and wait until it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start the server again on the same data dir and port (crash recovery on a killed one). */
  restart(): Promise<void>;
  /** Kill the server and remove the data dir. */
  stop(): Promise<void>;
}

async function ownerIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

/** initdb a new cluster and start it on `port`. */
export async function startPostgresServer(port: number): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('no PostgreSQL binaries (initdb) under /usr/lib/postgresql');
  const owner = await ownerIds();
  const dir = mkdtempSync(join(tmpdir(), 'nethical-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  await run(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    {
      ...(owner ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
    },
  );
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async () => {
    child = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${dir}`,
      ],
      { stdio: 'ignore', ...(owner ?? {}) },
    );
    const c = child;
    live.add(c);
    exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    void exited.then(() => live.delete(c));
    for (let i = 0; i < 300; i++) {
      if (c.exitCode !== null || c.signalCode !== null)
        throw new Error(`postgres on port ${port} exited at start`);
      const client = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return;
      } catch {
        await client.end().catch(() => {});
        await sleep(100);
      }
    }
    throw new Error(`postgres on port ${port} did not start`);
  };

  const server: PostgresServer = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pid: () => child?.pid ?? -1,
    async kill(signal = 'SIGKILL') {
      const postmaster = child?.pid;
      // Its backends outlive a killed postmaster until they notice; a restart must wait for them
      // (they hold the old shared memory).
      const backends = postmaster
        ? (
            await run('pgrep', ['-P', String(postmaster)]).then(
              (r) => r.stdout,
              () => '',
            )
          )
            .split('\n')
            .filter(Boolean)
            .map(Number)
        : [];
      if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      for (let i = 0; i < 100 && backends.some(alive); i++) await sleep(100);
    },
    restart: () => launch(),
    async stop() {
      await server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await launch();
  return server;
}
