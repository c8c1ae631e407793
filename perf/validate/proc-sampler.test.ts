import { describe, expect, it } from 'vitest';
import {
  createProcessSampler,
  parseProcSample,
  readProcSample,
  type ProcSample,
} from './proc-sampler';

// A stat line whose command name contains spaces and a parenthesis, as Linux allows.
const stat = (utime: number, stime: number): string =>
  `4242 (node (worker) x) S 1 4242 4242 0 -1 4194304 5000 0 0 0 ${utime} ${stime} 0 0 20 0 11 0 100 1000000 2000 18446744073709551615`;
const status = 'Name:\tnode\nVmPeak:\t  900000 kB\nVmRSS:\t  51200 kB\nThreads:\t11\n';

describe('proc sampler', () => {
  it('parses utime + stime and VmRSS', () => {
    expect(parseProcSample(stat(150, 50), status)).toEqual({
      cpuTicks: 200,
      rssBytes: 51200 * 1024,
    });
  });

  it('reads this very process from /proc', () => {
    const me = readProcSample(process.pid);
    expect(me?.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(readProcSample(2 ** 30)).toBeUndefined();
  });

  it('turns tick deltas into % of a core and follows a restarted pid', () => {
    const table = new Map<number, ProcSample>();
    let pids: Record<string, number> = { gateway: 10 };
    const sampler = createProcessSampler(
      () => pids,
      (pid) => table.get(pid),
      100,
    );
    table.set(10, { cpuTicks: 0, rssBytes: 100 * 1048576 });
    sampler.sample(0);
    table.set(10, { cpuTicks: 50, rssBytes: 120 * 1048576 });
    sampler.sample(1000); // 0.5 s of CPU in 1 s: 50 %
    table.set(10, { cpuTicks: 250, rssBytes: 110 * 1048576 });
    sampler.sample(2000); // 2 s of CPU in 1 s: 200 % (two cores)
    pids = { gateway: 11 };
    table.set(11, { cpuTicks: 5, rssBytes: 60 * 1048576 });
    sampler.sample(3000); // new pid: no delta across the restart
    expect(sampler.usage()).toEqual({
      gateway: {
        samples: 4,
        cpuAvgPercent: 125,
        cpuPeakPercent: 200,
        rssAvgMb: 97.5,
        rssPeakMb: 120,
        pids: 2,
      },
    });
  });
});
