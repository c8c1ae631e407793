import type { LoadSummary } from '../load/load-summary';
import type { FailoverAnalysis } from './failover-analysis';
import type { ServiceUsage } from './proc-sampler';

/** One line of the summary table; `passed: null` means the test did not run. */
export interface TestRow {
  id: string;
  test: string;
  target: string;
  expected: string;
  achieved: string;
  passed: boolean | null;
}

/** The result of one test: its row, its load run(s) and what the services used meanwhile. */
export interface TestResult {
  row: TestRow;
  command: string;
  load?: LoadSummary;
  usage: Record<string, ServiceUsage>;
  details: string[];
  failover?: FailoverAnalysis;
}

export interface ValidationReport {
  startedAt: string;
  finishedAt: string;
  commit: string;
  host: { cpus: number; loadAverage: number[]; node: string; memoryMb: number };
  environment: Record<string, string>;
  results: TestResult[];
  notes: string[];
}

const status = (passed: boolean | null): string =>
  passed === null ? '⏭️ not run' : passed ? '✅' : '❌';
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Render the report in the seed's template style (| Test | Target | Expected | Achieved | Status |). */
export function renderReport(report: ValidationReport): string {
  const out: string[] = [];
  const ran = report.results.filter((r) => r.row.passed !== null);
  const passed = ran.filter((r) => r.row.passed).length;
  out.push('# Nethical Performance Validation Report', '');
  out.push(`- **Generated**: ${report.finishedAt} (started ${report.startedAt})`);
  out.push(`- **Commit**: \`${report.commit}\``);
  out.push(
    `- **Host**: ${report.host.cpus} CPU cores, ${report.host.memoryMb} MB RAM, Node ${report.host.node}, load average at start ${report.host.loadAverage.map((l) => l.toFixed(2)).join(' / ')}`,
  );
  for (const [k, v] of Object.entries(report.environment)) out.push(`- **${k}**: \`${v}\``);
  out.push(
    `- **Overall**: ${passed}/${ran.length} tests passed${ran.length < report.results.length ? `, ${report.results.length - ran.length} not run` : ''}`,
    '',
  );
  out.push(
    '## Summary',
    '',
    '| Test | Target | Expected | Achieved | Status |',
    '|---|---|---|---|---|',
  );
  for (const { row } of report.results) {
    out.push(
      `| ${cell(`${row.id}. ${row.test}`)} | ${cell(row.target)} | ${cell(row.expected)} | ${cell(row.achieved)} | ${status(row.passed)} |`,
    );
  }
  out.push('');
  out.push(
    "Latency is measured from each request's **scheduled** start on an open-loop schedule (queueing included, no coordinated omission). Error rate counts every non-2xx/non-OK answer, timeout, network error and request dropped at the in-flight cap.",
    '',
  );
  for (const result of report.results) {
    out.push(`## ${result.row.id}. ${result.row.test}`, '');
    out.push('```', result.command, '```', '');
    if (result.load) out.push(...loadTable(result.load), '');
    if (result.details.length) out.push(...result.details.map((d) => `- ${d}`), '');
    if (Object.keys(result.usage).length) out.push(...usageTable(result.usage), '');
  }
  if (report.notes.length) out.push('## Notes', '', ...report.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

function loadTable(s: LoadSummary): string[] {
  const l = s.latency;
  const statuses = Object.entries(s.statusCounts)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const decisions = Object.entries(s.decisions)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return [
    '| Metric | Value |',
    '|---|---|',
    `| Target rate / duration | ${s.target.rps}/s for ${s.target.durationSec} s (+${s.target.warmupSec} s warm-up), ${s.agents} agents, ${s.protocol} |`,
    `| Requests / OK / errors / dropped | ${s.requests} / ${s.ok} / ${s.errors} / ${s.dropped} |`,
    `| Error rate | ${(s.errorRate * 100).toFixed(3)} % |`,
    `| Offered / achieved rate | ${s.offeredRps.toFixed(1)}/s / ${s.achievedRps.toFixed(1)}/s |`,
    `| Latency p50 / p95 / p99 / p99.9 / max | ${l.p50Ms} / ${l.p95Ms} / ${l.p99Ms} / ${l.p999Ms} / ${l.maxMs} ms |`,
    `| Generator dispatch lag p99 / max | ${s.dispatchLag.p99Ms} / ${s.dispatchLag.maxMs} ms |`,
    `| Status | ${cell(statuses || '-')} |`,
    `| Decisions | ${cell(decisions || '-')} |`,
  ];
}

function usageTable(usage: Record<string, ServiceUsage>): string[] {
  const rows = Object.entries(usage).map(
    ([service, u]) =>
      `| ${service} | ${u.cpuAvgPercent} | ${u.cpuPeakPercent} | ${u.rssAvgMb} | ${u.rssPeakMb} | ${u.pids > 1 ? `${u.pids - 1} restart(s)` : '-'} |`,
  );
  return [
    '| Service | CPU avg % | CPU peak % | RSS avg MB | RSS peak MB | Restarts |',
    '|---|---|---|---|---|---|',
    ...rows,
  ];
}

/** Outcomes that are the service's failure (not an answer): 5xx, server-side gRPC codes, no answer. */
const SERVER_FAILURE =
  /^(5\d\d|INTERNAL|UNAVAILABLE|DEADLINE_EXCEEDED|UNKNOWN|DATA_LOSS|timeout|network|error)$/i;

/**
 * The seed's Availability row: the share of actions answered without a server failure over the
 * steady-state tests (1-4; Test 5 kills a service on purpose and is reported beside it). An
 * answer the client caused (400, 401, 429) counts as served; arrivals the generator itself
 * dropped (its in-flight cap) are left out. Target 99.9 %.
 */
export function availabilityResult(results: TestResult[], target = 0.999): TestResult {
  const tally = (rs: TestResult[]) => {
    let total = 0;
    let failed = 0;
    for (const r of rs) {
      for (const [status, n] of Object.entries(r.load?.statusCounts ?? {})) {
        if (status === 'dropped') continue;
        total += n;
        if (SERVER_FAILURE.test(status)) failed += n;
      }
    }
    return { total, failed, availability: total === 0 ? null : (total - failed) / total };
  };
  const steady = tally(results.filter((r) => ['1', '2', '3', '4'].includes(r.row.id)));
  const failover = tally(results.filter((r) => r.row.id === '5'));
  const fmt = (a: number | null) => (a === null ? 'n/a' : `${(a * 100).toFixed(3)} %`);
  return {
    row: {
      id: 'A',
      test: 'Availability',
      target: `${(target * 100).toFixed(1)} % of actions answered without a server failure (Tests 1-4)`,
      expected: `≥ ${(target * 100).toFixed(1)} %`,
      achieved:
        steady.availability === null
          ? 'no load ran'
          : `${fmt(steady.availability)} (${steady.failed} of ${steady.total} failed)${failover.total ? `; during Test 5's kill: ${fmt(failover.availability)}` : ''}`,
      passed: steady.availability === null ? null : steady.availability >= target,
    },
    command: 'computed from Tests 1-4 (and 5, reported)',
    usage: {},
    details: [],
  };
}
