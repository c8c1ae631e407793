/**
 * Judge RPC latency under load (issue 3: "judge RPC p99 ≤ 2 ms for a 1 KB action under load").
 * Starts the policy-judge service as its own process (the same esbuild bundle the mesh runs,
 * Redis-backed risk and quarantine state when --redis is given), then calls `Judge` through the
 * platform's internal client (@grpc/grpc-js), exactly as the gateway does, on an open-loop
 * schedule: each call has an intended start and its latency is measured from it, so queueing
 * anywhere counts. Actions are ~1 KB, unique
 * (realistic mix from the load generator, padded with ordinary prose), one agent per 10 calls.
 * Requests are built before the clock starts (the generator's work is not the RPC's); their
 * serialisation is the client's, as in the gateway.
 *
 * `--method health` sends `grpc.health.v1.Health/Check` instead, through the same client, server
 * process, interceptors and loop: the transport's own latency on this machine, the floor under
 * any judge figure. The report also gives the server-side duration (the judge's
 * `nethical_rpc_server_duration_seconds` histogram, scraped before and after the measured window).
 *
 * `--client http2` sends through `raw-grpc-client.ts` instead of @grpc/grpc-js: the same calls
 * without a client library, to tell the client's share of the tail from the server's.
 *
 *   npx tsx perf/rpc/judge-load.ts [--rate 1000] [--seconds 20] [--warmup 3] [--method judge|health] [--client grpc-js|http2]
 *     [--redis redis://127.0.0.1:6379/12] [--port 18720] [--p99-ms 2] [--node-args='--trace-gc']
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ActionSchema, ActionType, Decision, healthv1, judgev1 } from '@nethical/contracts';
import { createInternalClient, type InternalClient } from '@nethical/platform';
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { bundleServices } from '../../apps/cli/src/bundle-services';
import { repoRoot } from '../../apps/cli/src/mesh';
import { createActionGenerator, defaultMix } from '../load/action-generator';
import { createLatencyHistogram } from '../load/latency-histogram';
import { preciseSleep, runOpenLoop } from '../load/open-loop';
import { clockTicksPerSecond, readProcSample } from '../validate/proc-sampler';
import { connectRawGrpc } from './raw-grpc-client';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    redis: { type: 'string', default: '' },
    port: { type: 'string', default: '18720' },
    'p99-ms': { type: 'string', default: '2' },
    method: { type: 'string', default: 'judge' },
    /** `grpc-js` (what the gateway uses) or `http2` (raw-grpc-client.ts: no client library). */
    client: { type: 'string', default: 'grpc-js' },
    /** Extra Node.js flags for the judge process, e.g. `--trace-gc`. */
    'node-args': { type: 'string', default: '' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const port = Number(values.port);
if (values.method !== 'judge' && values.method !== 'health') throw new Error(`--method: expected judge or health, got ${values.method}`);
const health = values.method === 'health';
if (values.client !== 'grpc-js' && values.client !== 'http2') throw new Error(`--client: expected grpc-js or http2, got ${values.client}`);

const PROSE =
  'The quarterly report covers shipping volumes, supplier lead times and the warehouse staffing plan. ' +
  'Please keep the tone neutral and the figures as they are in the source tables. ';
/** A ~1 KB action: the generated text first (so detections still fire), then ordinary prose. */
function oneKb(text: string): string {
  let s = `${text} `;
  while (s.length < 1024) s += PROSE;
  return s.slice(0, 1024);
}
const actionTypes: Record<string, ActionType> = {
  message: ActionType.MESSAGE,
  response: ActionType.RESPONSE,
  tool_call: ActionType.TOOL_CALL,
  system_command: ActionType.SYSTEM_COMMAND,
  data_access: ActionType.DATA_ACCESS,
};

const [entry] = Object.values(await bundleServices(repoRoot, ['policy-judge']));
const judgeProcess = spawn(process.execPath, [...values['node-args'].split(' ').filter(Boolean), entry as string], {
  cwd: repoRoot,
  env: {
    ...process.env,
    NETHICAL_PORT: String(port),
    NETHICAL_HOST: '127.0.0.1',
    NETHICAL_LOG_LEVEL: 'warn',
    NETHICAL_REDIS_URL: values.redis,
    NETHICAL_ML_URL: 'http://127.0.0.1:1',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const stopJudge = () => judgeProcess.kill('SIGTERM');
process.on('exit', stopJudge);
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
  } catch {
    /* not up yet */
  }
  if (i > 300) throw new Error('policy-judge did not become ready in 30 s');
  await new Promise((r) => setTimeout(r, 100));
}

// The gateway's own client (platform internal client over @grpc/grpc-js), or the bare one.
const internal = (svc: typeof judgev1.PolicyJudgeService | typeof healthv1.Health) =>
  createInternalClient(svc, `http://127.0.0.1:${port}`, { timeoutMs: 5000, impl: 'grpc-js' });
const judgeClient = internal(judgev1.PolicyJudgeService) as InternalClient<typeof judgev1.PolicyJudgeService>;
const healthClient = internal(healthv1.Health) as InternalClient<typeof healthv1.Health>;
const raw = values.client === 'http2' ? await connectRawGrpc(`http://127.0.0.1:${port}`) : undefined;
const method = health ? '/grpc.health.v1.Health/Check' : '/nethical.judge.v1.PolicyJudgeService/Judge';
const generator = createActionGenerator({ seed: 3, runId: `judge-${Date.now()}`, mix: defaultMix });
const agents = Math.max(1, Math.round((rate * (seconds + warmup)) / 10));
const planned = Math.ceil(rate * (seconds + warmup));
const requests: judgev1.JudgeRequest[] = [];
for (let n = 0; !health && n < planned; n++) {
  const a = generator.next(n % agents);
  requests.push(
    create(judgev1.JudgeRequestSchema, {
      action: create(ActionSchema, {
        actionId: a.actionId,
        agentId: a.agentId,
        tenantId: 'perf',
        regionId: 'perf',
        actionType: actionTypes[a.actionType] ?? ActionType.MESSAGE,
        content: oneKb(a.text),
      }),
    }),
  );
}
const healthRequest = create(healthv1.HealthCheckRequestSchema, { service: '' });

/** Send call `n`; `answered` gets the decision (or serving status) name. */
function send(n: number, answered: (err: Error | null, res?: string) => void): void {
  if (raw) {
    const bytes = health ? toBinary(healthv1.HealthCheckRequestSchema, healthRequest) : toBinary(judgev1.JudgeRequestSchema, requests[n]!);
    raw.unary(method, bytes, (err, reply) => {
      if (err || !reply) return answered(err ?? new Error('no reply'));
      answered(
        null,
        health
          ? healthv1.HealthCheckResponse_ServingStatus[fromBinary(healthv1.HealthCheckResponseSchema, reply).status]
          : Decision[fromBinary(judgev1.JudgeResponseSchema, reply).decision],
      );
    });
    return;
  }
  const call = health
    ? healthClient.client.check(healthRequest).then((r) => healthv1.HealthCheckResponse_ServingStatus[r.status])
    : judgeClient.client.judge(requests[n]!).then((r) => Decision[r.decision]);
  call.then(
    (res) => answered(null, res),
    (err: unknown) => answered(err as Error),
  );
}

/** Cumulative bucket counts of the judge's server-side duration histogram for `method`. */
async function serverBuckets(): Promise<Map<number, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const name = health ? 'Check' : 'Judge';
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('nethical_rpc_server_duration_seconds_bucket{') || !line.includes(`method="${name}"`)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    const count = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (le) out.set(le === '+Inf' ? Infinity : Number(le), (out.get(le === '+Inf' ? Infinity : Number(le)) ?? 0) + count);
  }
  return out;
}

const total = createLatencyHistogram();
const service = createLatencyHistogram();
const lag = createLatencyHistogram();
const decisions = new Map<string, number>();
let errors = 0;
let inflight = 0;
let measureFrom = Infinity;
let ticksAtMeasure: number | undefined;
let bucketsAtMeasure: Promise<Map<number, number>> | undefined;
const judgeTicks = () => readProcSample(judgeProcess.pid!)?.cpuTicks ?? 0;

function fire(n: number, intended: number): void {
  if (n === 0) measureFrom = intended + warmup * 1000;
  const measured = intended >= measureFrom;
  if (measured) {
    ticksAtMeasure ??= judgeTicks();
    bucketsAtMeasure ??= serverBuckets();
  }
  const began = performance.now();
  if (measured) lag.record(began - intended);
  inflight++;
  const answered = (err: Error | null, res?: string) => {
    inflight--;
    if (!measured) return;
    const done = performance.now();
    if (err || res === undefined) {
      errors++;
      return;
    }
    total.record(done - intended);
    service.record(done - began);
    decisions.set(res, (decisions.get(res) ?? 0) + 1);
  };
  send(n, answered);
}

await runOpenLoop({ rate, durationMs: (warmup + seconds) * 1000, fire, sleep: preciseSleep });
while (inflight > 0) await new Promise((r) => setTimeout(r, 10));
const t = total.summary();
const before = (await bucketsAtMeasure) ?? new Map<number, number>();
const after = await serverBuckets();
const serverCount = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
/** Share of the window's calls the server finished within `le` seconds (a histogram bucket). */
const within = (le: number) => (((after.get(le) ?? 0) - (before.get(le) ?? 0)) / Math.max(1, serverCount)) * 100;
const judgeCpuMs = ((judgeTicks() - (ticksAtMeasure ?? 0)) * 1000) / clockTicksPerSecond() / Math.max(1, t.count + errors);

const ms = (v: number) => v.toFixed(3);
const pass = t.p99Ms <= Number(values['p99-ms']) && errors === 0;
const lines = [
  `${health ? 'health Check (transport floor)' : 'judge RPC, 1 KB actions'}, ${values.client} client, open loop ${rate}/s for ${seconds} s (warm-up ${warmup} s), ${values.redis ? `Redis ${values.redis}` : 'in-memory state'}`,
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`,
  `calls measured ${t.count} (${(t.count / seconds).toFixed(0)}/s), errors ${errors}`,
  `latency from intended start (ms): p50 ${ms(t.p50Ms)} p95 ${ms(t.p95Ms)} p99 ${ms(t.p99Ms)} p99.9 ${ms(t.p999Ms)} max ${ms(t.maxMs)}`,
  `service time p99 ${ms(service.summary().p99Ms)} ms, generator dispatch lag p99 ${ms(lag.summary().p99Ms)} ms`,
  `server-side (interceptor to answer), ${serverCount} calls: ≤ 0.5 ms ${within(0.0005).toFixed(2)} %, ≤ 1 ms ${within(0.001).toFixed(2)} %, ≤ 2 ms ${within(0.002).toFixed(2)} %, ≤ 5 ms ${within(0.005).toFixed(2)} %`,
  `judge process CPU per call ${judgeCpuMs.toFixed(3)} ms (user + system, from /proc)`,
  `${health ? 'statuses' : 'decisions'} ${[...decisions].map(([d, n]) => `${d}:${n}`).join(' ')}`,
  `p99 ≤ ${values['p99-ms']} ms: ${pass ? 'PASS' : 'FAIL'}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
judgeClient.close();
healthClient.close();
raw?.close();
stopJudge();
process.exit(pass ? 0 : 1);
