import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One region as recorded by the supervisor. */
export interface RegionRecord {
  region: string;
  gatewayUrl: string;
  /** Every service's URL (gateway, quota, policy-judge, ml-scorer, audit-store, merkle-anchor). */
  urls: Record<string, string>;
  /** The mesh's state dir; its `mesh-pids.json` holds the current pids. */
  stateDir: string;
  /** PostgreSQL database, or undefined for PGlite in `stateDir`. */
  database?: string | undefined;
  /** Pids at the last (re)start, by service. */
  pids: Record<string, number>;
  /** False after `regions stop <region>` (or before its first start). */
  running: boolean;
}

/** What `nethical regions up` leaves behind for `status` / `down` (and tests). */
export interface RegionsState {
  phase: 'starting' | 'ready' | 'failed' | 'stopping' | 'stopped';
  error?: string | undefined;
  supervisorPid: number;
  /** Supervisor control endpoint (POST /regions/<region>/stop|start). */
  controlUrl: string;
  lbUrl: string;
  haproxyPid?: number | undefined;
  haproxyConfig: string;
  redis: { seedUrl: string; external: boolean; nodes: { port: number; pid: number }[] };
  regions: RegionRecord[];
  startedAt: string;
}

/** Path of the state file in a regions state dir. */
export const stateFile = (stateDir: string) => path.join(stateDir, 'regions.json');

/** Write atomically (rename), so a reader never sees half a file. */
export function writeState(stateDir: string, state: RegionsState): void {
  const file = stateFile(stateDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}

/** The state, or undefined when `regions up` never ran here. */
export function readState(stateDir: string): RegionsState | undefined {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as RegionsState;
}

/** True when a process with this pid exists. */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Current pids of a region's services (the mesh rewrites its pid file on every restart). */
export function currentPids(record: RegionRecord): Record<string, number> {
  const file = path.join(record.stateDir, 'mesh-pids.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    return record.pids;
  }
}

/** `status --json`: per region its gateway URL, pids (live ones), readiness; the LB; Redis. */
export interface RegionsStatus {
  phase: RegionsState['phase'] | 'down';
  supervisorPid?: number;
  lbUrl?: string;
  lbReady?: boolean;
  redis?: RegionsState['redis'];
  regions: {
    region: string;
    gatewayUrl: string;
    ready: boolean;
    running: boolean;
    database?: string | undefined;
    pids: Record<string, number>;
    alive: Record<string, boolean>;
  }[];
}

async function ready(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1500) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Read the state and probe every region's gateway and the load balancer. */
export async function regionsStatus(stateDir: string): Promise<RegionsStatus> {
  const state = readState(stateDir);
  if (!state || !alive(state.supervisorPid)) {
    return { phase: 'down', regions: [] };
  }
  const regions = await Promise.all(
    state.regions.map(async (r) => {
      const pids = currentPids(r);
      return {
        region: r.region,
        gatewayUrl: r.gatewayUrl,
        ready: await ready(r.gatewayUrl),
        running: r.running,
        database: r.database,
        pids,
        alive: Object.fromEntries(Object.entries(pids).map(([s, pid]) => [s, alive(pid)])),
      };
    }),
  );
  return {
    phase: state.phase,
    supervisorPid: state.supervisorPid,
    lbUrl: state.lbUrl,
    lbReady: await ready(state.lbUrl),
    redis: state.redis,
    regions,
  };
}
