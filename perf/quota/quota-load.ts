/**
 * Open-loop load test of `quota.check` against real Redis: a fixed arrival rate (default
 * 5,000 checks/s) over many distinct agents (default 10,000), latency measured from each
 * check's *intended* start, so a stalled client cannot hide queueing (no coordinated
 * omission). Writes perf/quota/RESULTS-quota.md and exits 1 when p99 exceeds the threshold.
 *
 *   npx tsx perf/quota/quota-load.ts [--rate 5000] [--seconds 10] [--agents 10000]
 *     [--redis redis://127.0.0.1:6379/15] [--p99-ms 2] [--out perf/quota/RESULTS-quota.md]
 */
import { randomUUID } from 'node:crypto';
import { appendFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createRedisQuotaStore } from '../../apps/quota/src/adapters/redis-quota-store';
import { createFallbackQuotaStore } from '../../apps/quota/src/domain/fallback-quota-store';
import { parseQuotaLimits } from '../../apps/quota/src/domain/limits-config';
import { createMemoryQuotaStore } from '../../apps/quota/src/domain/memory-quota-store';
import { createQuota } from '../../apps/quota/src/domain/quota';
import { systemClock } from '../../apps/quota/src/domain/quota-store';
import { createLatencyHistogram } from '../load/latency-histogram';
import { preciseSleep, runOpenLoop } from '../load/open-loop';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    agents: { type: 'string', default: '10000' },
    tenants: { type: 'string', default: '100' },
    redis: {
      type: 'string',
      default: process.env.NETHICAL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15',
    },
    'p99-ms': { type: 'string', default: '2' },
    out: { type: 'string', default: 'perf/quota/RESULTS-quota.md' },
    /** ioredis auto-pipelining: one socket write per event-loop tick for all pending checks. */
    'auto-pipelining': { type: 'boolean', default: false },
    /** Append to --out instead of replacing it (several runs in one results file). */
    append: { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const agents = Number(values.agents);
const tenants = Number(values.tenants);
const p99Threshold = Number(values['p99-ms']);

const prefix = `nethical-perf:${randomUUID().slice(0, 8)}:quota:`;
const redis = new Redis(values.redis, {
  enableAutoPipelining: values['auto-pipelining'],
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  lazyConnect: true,
});
await redis.connect();
const store = createFallbackQuotaStore(
  createRedisQuotaStore(redis, { prefix, quitOnClose: false }),
  createMemoryQuotaStore(systemClock),
  { mode: 'local', timeoutMs: 50, clock: systemClock },
);
const quota = createQuota({
  store,
  regionId: 'perf-region',
  regionRps: rate * 2,
  limits: parseQuotaLimits({
    version: 1,
    defaults: { agent: { rate: 5, burst: 10 }, tenant: { rate: 200, burst: 400 } },
  }),
});

/** Latency from intended start to completion (open loop), from actual start (service), and the generator's own lag. */
const total = createLatencyHistogram();
const service = createLatencyHistogram();
const dispatchLag = createLatencyHistogram();
const counts = { allowed: 0, denied: 0, errors: 0, fallback: 0 };
let measureFrom = Infinity;
let sent = 0;
let cpuAtMeasure: NodeJS.CpuUsage | undefined;
const inflight = new Set<Promise<void>>();

function fire(n: number, intended: number): void {
  if (n === 0) measureFrom = intended + warmup * 1000;
  const began = performance.now();
  const measured = intended >= measureFrom;
  if (measured) {
    cpuAtMeasure ??= process.cpuUsage();
    dispatchLag.record(began - intended);
  }
  sent++;
  const p = quota
    .check({ agentId: `agent-${n % agents}`, tenantId: `tenant-${n % tenants}`, payloadBytes: 512 })
    .then(
      (d) => {
        if (!measured) return;
        const done = performance.now();
        total.record(done - intended);
        service.record(done - began);
        if (d.allowed) counts.allowed++;
        else counts.denied++;
        if (d.store !== 'redis') counts.fallback++;
      },
      () => {
        if (measured) counts.errors++;
      },
    )
    .finally(() => inflight.delete(p));
  inflight.add(p);
}

await runOpenLoop({ rate, durationMs: (warmup + seconds) * 1000, fire, sleep: preciseSleep });
await Promise.all(inflight);
const cpu = process.cpuUsage(cpuAtMeasure);
const active = await quota.activeAgents();

const t = total.summary();
const ms = (v: number) => v.toFixed(3);
const measured = t.count;
const pass = t.p99Ms <= p99Threshold && counts.errors === 0;
const cpuModel = cpus()[0]?.model ?? 'unknown';
const redisVersion = ((await redis.info('server')).match(/redis_version:(\S+)/) ?? [])[1] ?? '?';
const command = `npx tsx perf/quota/quota-load.ts --rate ${rate} --seconds ${seconds} --agents ${agents}${values['auto-pipelining'] ? ' --auto-pipelining' : ''}`;
const report = `# Quota check latency (open loop, real Redis)

Command: \`${command}\` (from the repo root; Redis ${redisVersion} at ${values.redis.replace(/\/\/[^@]*@/, '//')}, key prefix unique per run).
Machine: ${cpus().length} × ${cpuModel}, Node ${process.version}, Redis on the same host; load average ${loadavg()
  .map((l) => l.toFixed(2))
  .join(' / ')} at the end (this process keeps about one core busy while it runs).
Measured: ${new Date().toISOString()}.

Path measured: \`createQuota\` → fallback store (50 ms timeout) → Redis store → one EVALSHA
(agent + tenant + region GCRA + PFADD), ${agents.toLocaleString('en')} distinct agents over ${tenants} tenants,
payload 512 B (cost 1). Open loop at ${rate.toLocaleString('en')} checks/s for ${seconds} s after ${warmup} s warm-up;
latency from each check's intended start (includes client queueing).

| metric | value |
| --- | --- |
| checks measured | ${measured.toLocaleString('en')} (${(measured / seconds).toFixed(0)}/s) |
| allowed / denied | ${counts.allowed} / ${counts.denied} |
| errors / answered by fallback | ${counts.errors} / ${counts.fallback} |
| p50 | ${ms(t.p50Ms)} ms |
| p95 | ${ms(t.p95Ms)} ms |
| **p99** | **${ms(t.p99Ms)} ms** (threshold ${p99Threshold} ms: ${pass ? 'PASS' : 'FAIL'}) |
| p99.9 | ${ms(t.p999Ms)} ms |
| max | ${ms(t.maxMs)} ms |
| generator dispatch lag p99 (intended → sent) | ${ms(dispatchLag.summary().p99Ms)} ms |
| service-time p99 (from actual send) | ${ms(service.summary().p99Ms)} ms |
| client CPU per check (user + system, this process) | ${((cpu.user + cpu.system) / Math.max(1, measured)).toFixed(1)} µs |
| active agents (HyperLogLog PFCOUNT) | ${active} (true: ${Math.min(agents, sent)}) |
`;
await (values.append ? appendFile(values.out, `\n${report}`) : writeFile(values.out, report));
process.stdout.write(report);
// Remove this run's keys (SCAN + DEL; never FLUSHALL on the shared server).
let cursor = '0';
do {
  const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
  cursor = next;
  if (keys.length > 0) await redis.del(...keys);
} while (cursor !== '0');
await quota.close();
redis.disconnect();
process.exit(pass ? 0 : 1);
