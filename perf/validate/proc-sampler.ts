import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU time and memory of one process at one instant, from /proc. */
export interface ProcSample {
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Resident set size, bytes (VmRSS). */
  rssBytes: number;
}

/**
 * Parse `/proc/<pid>/stat` and `/proc/<pid>/status`. The command name in `stat` may contain
 * spaces and parentheses, so fields are counted from the last `)`.
 */
export function parseProcSample(stat: string, status: string): ProcSample {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After ")": state(3) ppid(4) … utime(14) stime(15), i.e. indexes 11 and 12 of `rest`.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error('unparseable /proc stat line');
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return { cpuTicks: utime + stime, rssBytes: rss ? Number(rss[1]) * 1024 : 0 };
}

/** Read one process; undefined when it is gone. */
export function readProcSample(pid: number, procRoot = '/proc'): ProcSample | undefined {
  try {
    return parseProcSample(
      readFileSync(`${procRoot}/${pid}/stat`, 'utf8'),
      readFileSync(`${procRoot}/${pid}/status`, 'utf8'),
    );
  } catch {
    return undefined;
  }
}

/** Clock ticks per second (`getconf CLK_TCK`; 100 on every Linux we run on when it fails). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** Per-service resource use over a sampling window. CPU is % of one core (200 % = both cores). */
export interface ServiceUsage {
  samples: number;
  cpuAvgPercent: number;
  cpuPeakPercent: number;
  rssAvgMb: number;
  rssPeakMb: number;
  /** Distinct pids seen (> 1 means the service was restarted during the window). */
  pids: number;
}

/** Accumulates samples of a set of named processes whose pids may change (restarts). */
export interface ProcessSampler {
  /** Take one sample of every service now. */
  sample(atMs: number): void;
  usage(): Record<string, ServiceUsage>;
}

/**
 * Create a sampler. `readPids` is called at every sample, so a restarted service is followed to
 * its new pid (the CPU delta across a pid change is skipped, not counted as negative).
 */
export function createProcessSampler(
  readPids: () => Record<string, number>,
  read: (pid: number) => ProcSample | undefined = (pid) => readProcSample(pid),
  ticksPerSecond = clockTicksPerSecond(),
): ProcessSampler {
  interface State {
    last?: { pid: number; at: number; ticks: number };
    cpu: number[];
    rss: number[];
    pids: Set<number>;
  }
  const states = new Map<string, State>();
  return {
    sample(atMs) {
      let pids: Record<string, number>;
      try {
        pids = readPids();
      } catch {
        return;
      }
      for (const [service, pid] of Object.entries(pids)) {
        const state = states.get(service) ?? { cpu: [], rss: [], pids: new Set<number>() };
        states.set(service, state);
        const s = pid > 0 ? read(pid) : undefined;
        if (!s) continue;
        state.pids.add(pid);
        state.rss.push(s.rssBytes);
        if (state.last && state.last.pid === pid && atMs > state.last.at) {
          const cpuSeconds = (s.cpuTicks - state.last.ticks) / ticksPerSecond;
          state.cpu.push((100 * cpuSeconds) / ((atMs - state.last.at) / 1000));
        }
        state.last = { pid, at: atMs, ticks: s.cpuTicks };
      }
    },
    usage() {
      const mb = (b: number): number => Math.round((b / 1048576) * 10) / 10;
      const avg = (xs: number[]): number =>
        xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
      const out: Record<string, ServiceUsage> = {};
      for (const [service, st] of states) {
        out[service] = {
          samples: st.rss.length,
          cpuAvgPercent: Math.round(avg(st.cpu) * 10) / 10,
          cpuPeakPercent: Math.round(Math.max(0, ...st.cpu) * 10) / 10,
          rssAvgMb: mb(avg(st.rss)),
          rssPeakMb: mb(Math.max(0, ...st.rss)),
          pids: st.pids.size,
        };
      }
      return out;
    },
  };
}
