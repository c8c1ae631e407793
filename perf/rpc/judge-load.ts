/**
 * Judge RPC latency under load (issue 3: "judge RPC p99 ≤ 2 ms for a 1 KB action under load").
 * Starts the policy-judge service as its own process (the same esbuild bundle the mesh runs,
 * Redis-backed risk and quarantine state when --redis is given), then calls `Judge` over
 * @grpc/grpc-js, as the gateway does, on an open-loop schedule: each call has an intended start
 * and its latency is measured from it, so queueing anywhere counts. Actions are ~1 KB, unique
 * (realistic mix from the load generator, padded with ordinary prose), one agent per 10 calls.
 *
 *   npx tsx perf/rpc/judge-load.ts [--rate 1000] [--seconds 20] [--warmup 3]
 *     [--redis redis://127.0.0.1:6379/12] [--port 18720] [--p99-ms 2] [--node-args '--trace-gc']
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { ActionSchema, ActionType, Decision, judgev1 } from '@nethical/contracts';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { build } from 'hdr-histogram-js';
import { bundleServices } from '../../apps/cli/src/bundle-services';
import { repoRoot } from '../../apps/cli/src/mesh';
import { createActionGenerator, defaultMix } from '../load/action-generator';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    redis: { type: 'string', default: '' },
    port: { type: 'string', default: '18720' },
    'p99-ms': { type: 'string', default: '2' },
    /** Extra Node.js flags for the judge process, e.g. `--trace-gc`. */
    'node-args': { type: 'string', default: '' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const port = Number(values.port);

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

const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const serialize = (m: judgev1.JudgeRequest) => Buffer.from(toBinary(judgev1.JudgeRequestSchema, m));
const deserialize = (b: Buffer) => fromBinary(judgev1.JudgeResponseSchema, b);
const method = '/nethical.judge.v1.PolicyJudgeService/Judge';
const generator = createActionGenerator({ seed: 3, runId: `judge-${Date.now()}`, mix: defaultMix });
const agents = Math.max(1, Math.round((rate * (seconds + warmup)) / 10));

const histogram = () => build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
const total = histogram();
const service = histogram();
const lag = histogram();
const decisions = new Map<string, number>();
let errors = 0;
let inflight = 0;
const cpuTicks = () => {
  const f = readFileSync(`/proc/${judgeProcess.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
};

function fire(n: number, intended: number, measureFrom: number): void {
  const a = generator.next(n % agents);
  const request = create(judgev1.JudgeRequestSchema, {
    action: create(ActionSchema, {
      actionId: a.actionId,
      agentId: a.agentId,
      tenantId: 'perf',
      regionId: 'perf',
      actionType: actionTypes[a.actionType] ?? ActionType.MESSAGE,
      content: oneKb(a.text),
    }),
  });
  const began = performance.now();
  if (intended >= measureFrom) lag.recordValue(Math.max(1, Math.round((began - intended) * 1000)));
  inflight++;
  client.makeUnaryRequest(method, serialize, deserialize, request, { deadline: Date.now() + 5000 }, (err, res) => {
    inflight--;
    if (intended < measureFrom) return;
    const done = performance.now();
    if (err || !res) {
      errors++;
      return;
    }
    total.recordValue(Math.max(1, Math.round((done - intended) * 1000)));
    service.recordValue(Math.max(1, Math.round((done - began) * 1000)));
    decisions.set(Decision[res.decision] ?? String(res.decision), (decisions.get(Decision[res.decision] ?? '') ?? 0) + 1);
  });
}

// Open loop; yields with setImmediate when the next start is under 2 ms away (a 1 ms setTimeout
// wakes 1–3 ms late on this VM and would be charged to the judge).
const interval = 1000 / rate;
const start = performance.now();
const measureFrom = start + warmup * 1000;
const end = measureFrom + seconds * 1000;
let sent = 0;
let ticksAtMeasure = 0;
await new Promise<void>((resolve) => {
  const tick = () => {
    const now = performance.now();
    while (start + sent * interval <= Math.min(now, end)) {
      const intended = start + sent * interval;
      if (!ticksAtMeasure && intended >= measureFrom) ticksAtMeasure = cpuTicks();
      fire(sent, intended, measureFrom);
      sent++;
    }
    if (now >= end) resolve();
    else if (start + sent * interval - now < 2) setImmediate(tick);
    else setTimeout(tick, 1);
  };
  tick();
});
while (inflight > 0) await new Promise((r) => setTimeout(r, 10));
const judgeCpuMs = ((cpuTicks() - ticksAtMeasure) * 10) / Math.max(1, total.totalCount + errors);

const ms = (us: number) => (us / 1000).toFixed(3);
const p99 = total.getValueAtPercentile(99) / 1000;
const pass = p99 <= Number(values['p99-ms']) && errors === 0;
const lines = [
  `judge RPC, 1 KB actions, open loop ${rate}/s for ${seconds} s (warm-up ${warmup} s), ${values.redis ? `Redis ${values.redis}` : 'in-memory state'}`,
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`,
  `calls measured ${total.totalCount} (${(total.totalCount / seconds).toFixed(0)}/s), errors ${errors}`,
  `latency from intended start (ms): p50 ${ms(total.getValueAtPercentile(50))} p90 ${ms(total.getValueAtPercentile(90))} p99 ${ms(total.getValueAtPercentile(99))} p99.9 ${ms(total.getValueAtPercentile(99.9))} max ${ms(total.maxValue)}`,
  `service time p99 ${ms(service.getValueAtPercentile(99))} ms, generator dispatch lag p99 ${ms(lag.getValueAtPercentile(99))} ms`,
  `judge process CPU per call ${judgeCpuMs.toFixed(3)} ms (user + system, from /proc)`,
  `decisions ${[...decisions].map(([d, n]) => `${d}:${n}`).join(' ')}`,
  `p99 ≤ ${values['p99-ms']} ms: ${pass ? 'PASS' : 'FAIL'}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
client.close();
stopJudge();
process.exit(pass ? 0 : 1);
