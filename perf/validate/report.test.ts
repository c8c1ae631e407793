import { describe, expect, it } from 'vitest';
import { availabilityResult, renderReport, type ValidationReport } from './report';

const report: ValidationReport = {
  startedAt: '2026-11-27T07:00:00.000Z',
  finishedAt: '2026-11-27T07:10:00.000Z',
  commit: 'abc1234',
  host: { cpus: 2, loadAverage: [1, 2, 3], node: 'v20.20.2', memoryMb: 4096 },
  environment: { Redis: 'redis://127.0.0.1:6379/3' },
  results: [
    {
      row: {
        id: '1',
        test: 'Sustained throughput',
        target: '100 RPS for 120 s',
        expected: 'p99 ≤ 500 ms',
        achieved: '99.8 RPS, p99 120 ms',
        passed: true,
      },
      command: 'npx tsx perf/load/main.ts --rps 100',
      usage: {
        gateway: {
          samples: 120,
          cpuAvgPercent: 40.5,
          cpuPeakPercent: 80,
          rssAvgMb: 120,
          rssPeakMb: 130,
          pids: 1,
        },
      },
      details: [],
    },
    {
      row: {
        id: '5',
        test: 'Failover',
        target: '50 RPS',
        expected: 'recovery ≤ 30 s',
        achieved: 'a|b',
        passed: false,
      },
      command: '-',
      usage: {
        'policy-judge': {
          samples: 60,
          cpuAvgPercent: 10,
          cpuPeakPercent: 30,
          rssAvgMb: 90,
          rssPeakMb: 95,
          pids: 2,
        },
      },
      details: ['Errors before the kill: 0'],
    },
    {
      row: {
        id: '2',
        test: 'Peak',
        target: '-',
        expected: '-',
        achieved: 'skipped (--only)',
        passed: null,
      },
      command: '-',
      usage: {},
      details: [],
    },
  ],
  notes: ['noisy'],
};

describe('validation report', () => {
  const md = renderReport(report);

  it("uses the seed's summary table with a status per test", () => {
    expect(md).toContain('| Test | Target | Expected | Achieved | Status |');
    expect(md).toContain(
      '| 1. Sustained throughput | 100 RPS for 120 s | p99 ≤ 500 ms | 99.8 RPS, p99 120 ms | ✅ |',
    );
    expect(md).toMatch(/\| 5\. Failover \|.*\| a\\\|b \| ❌ \|/);
    expect(md).toContain('⏭️ not run');
    expect(md).toContain('1/2 tests passed, 1 not run');
  });

  it('lists per-service CPU and memory and marks restarts', () => {
    expect(md).toContain('| gateway | 40.5 | 80 | 120 | 130 | - |');
    expect(md).toContain('| policy-judge | 10 | 30 | 90 | 95 | 1 restart(s) |');
  });
});

describe('availability row', () => {
  const withStatuses = (id: string, statusCounts: Record<string, number>) =>
    ({
      row: { id, test: id, target: '', expected: '', achieved: '', passed: true },
      command: '',
      usage: {},
      details: [],
      load: { statusCounts } as never,
    }) as Parameters<typeof availabilityResult>[0][number];

  it('counts server failures over Tests 1-4 against 99.9 %, client errors as served, drops left out', () => {
    const a = availabilityResult([
      withStatuses('1', { '200': 9_990, '429': 5, '400': 3, '503': 2, dropped: 50 }),
      withStatuses('3', { OK: 1_000, UNAVAILABLE: 1, timeout: 2 }),
      withStatuses('5', { '200': 90, '503': 10 }),
    ]);
    expect(a.row.achieved).toBe("99.955 % (5 of 11003 failed); during Test 5's kill: 90.000 %");
    expect(a.row.passed).toBe(true);
    const b = availabilityResult([withStatuses('2', { '200': 990, '500': 10 })]);
    expect(b.row.passed).toBe(false);
    expect(availabilityResult([]).row.passed).toBeNull();
  });
});
