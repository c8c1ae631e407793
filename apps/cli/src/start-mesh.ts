/**
 * `npm start`: run the whole mesh on this machine. Embedded defaults (in-memory quota, PGlite
 * audit store) unless NETHICAL_REDIS_URL / NETHICAL_DATABASE_URL are set.
 *
 *   npm start                                   all six services, gateway on :8000
 *   npm start -- --env-file config/us-east-1.env a region; shell variables override the file
 *   npm start -- --port 9000 --logs             another base port; service logs on stdout
 *   NETHICAL_MESH_NODE_ARGS='--cpu-prof --cpu-prof-dir=.data/prof' npm start   profile every service
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { bundleConsole } from './bundle-console';
import { repoRoot, startMesh } from './mesh';

const program = new Command('start-mesh')
  .option('--env-file <file>', 'region configuration (NETHICAL_* variables)')
  .option('--port <port>', 'gateway port; the other services use the next five', '')
  .option('--logs', 'stream service logs to stdout', false)
  .parse();
const opts = program.opts<{ envFile?: string; port: string; logs: boolean }>();

const fileEnv = opts.envFile ? parseEnv(readFileSync(path.resolve(opts.envFile), 'utf8')) : {};
const env: NodeJS.ProcessEnv = { ...fileEnv, ...process.env };
delete env.NETHICAL_PORT;
const basePort = Number(opts.port || process.env.NETHICAL_PORT || 8000);
const stateDir = path.resolve(repoRoot, env.NETHICAL_STORAGE_DIR ?? '.data/nethical');
env.NETHICAL_STORAGE_DIR = stateDir;

const log = (m: string) => process.stderr.write(`[mesh] ${m}\n`);
log(`starting six services (${env.NETHICAL_REDIS_URL ? 'Redis' : 'in-memory quota'}, ${env.NETHICAL_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}; state in ${stateDir})`);
try {
  const nodeArgs = (process.env.NETHICAL_MESH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  delete env.NETHICAL_MESH_NODE_ARGS;
  // The browser console the gateway serves at /console: built like the services, before the
  // gateway starts (it reads the files once).
  await bundleConsole(repoRoot, path.resolve(repoRoot, env.NETHICAL_CONSOLE_DIR ?? 'dist/console'));
  const mesh = await startMesh({ env, basePort, stateDir, streamLogs: opts.logs, supervise: true, onEvent: log, nodeArgs });
  for (const [s, url] of Object.entries(mesh.urls)) log(`${s.padEnd(14)} ${url}`);
  process.stdout.write(`gateway listening on ${mesh.gatewayUrl}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping (gateway first, audit last)`);
    void mesh.stop().then(() => {
      log('all services stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  log(`failed to start: ${(err as Error).message}`);
  log(`logs are in ${path.join(stateDir, 'logs')}`);
  process.exit(1);
}
