/**
 * The round trip under any RPC figure on this machine, without the RPC libraries. One process
 * sends and another answers over node:http2 on loopback; the schedule, histogram and sleep are
 * the ones `judge-load.ts` uses.
 *
 * - `echo`: a bare node:http2 server answering a 1 KB POST with 200 bytes. This is the floor of
 *   Node's HTTP/2 itself.
 * - `--grpc-target 127.0.0.1:PORT`: gRPC-framed unary calls to `grpc.health.v1.Health/Check` on a
 *   running service (e.g. a policy-judge started by hand). This is the server stack without
 *   a client library: set against `judge-load.ts --method health`, the difference is the client.
 *
 * The gRPC client is `raw-grpc-client.ts`, hand-written on node:http2 on purpose: it takes the
 * client library out of the measurement.
 *
 *   npx tsx perf/rpc/transport-floor.ts [--rate 500] [--seconds 15] [--warmup 3] [--grpc-target 127.0.0.1:18720]
 */
import { spawn } from 'node:child_process';
import http2 from 'node:http2';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createLatencyHistogram } from '../load/latency-histogram';
import { preciseSleep, runOpenLoop } from '../load/open-loop';
import { connectRawGrpc } from './raw-grpc-client';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    'grpc-target': { type: 'string', default: '' },
    port: { type: 'string', default: '18730' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const grpcTarget = values['grpc-target'];

/** The echo server, as its own process (a server in the client's process would share its loop). */
const ECHO_SERVER = `
const http2 = require('node:http2');
const reply = Buffer.alloc(200, 120);
http2.createServer().on('stream', (stream) => {
  stream.on('data', () => {});
  stream.on('end', () => { stream.respond({ ':status': 200 }); stream.end(reply); });
}).listen(Number(process.argv[1]), '127.0.0.1', () => process.send && process.send('ready'));
`;

let stopServer = () => {};
let authority: string;
if (grpcTarget) {
  authority = `http://${grpcTarget}`;
} else {
  const server = spawn(process.execPath, ['-e', ECHO_SERVER, values.port], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  stopServer = () => server.kill();
  process.on('exit', stopServer);
  await new Promise<void>((resolve, reject) => {
    server.once('message', () => resolve());
    server.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  authority = `http://127.0.0.1:${values.port}`;
}

const latency = createLatencyHistogram();
let errors = 0;
let inflight = 0;
let measureFrom = Infinity;
const finish = (intended: number, ok: boolean) => {
  inflight--;
  if (intended < measureFrom) return;
  if (ok) latency.record(performance.now() - intended);
  else errors++;
};
let close: () => void;
let send: (intended: number) => void;
if (grpcTarget) {
  const client = await connectRawGrpc(authority);
  const empty = new Uint8Array(0); // an empty HealthCheckRequest
  send = (intended) => client.unary('/grpc.health.v1.Health/Check', empty, (err) => finish(intended, err === null));
  close = () => client.close();
} else {
  const session = http2.connect(authority);
  await new Promise<void>((resolve, reject) => session.once('connect', () => resolve()).once('error', reject));
  const body = Buffer.alloc(1024, 97);
  send = (intended) => {
    let ok = false;
    const stream = session.request({ ':method': 'POST', ':path': '/echo' });
    stream.on('response', (h) => {
      ok = h[':status'] === 200;
    });
    stream.on('data', () => {});
    stream.on('error', () => {
      ok = false;
    });
    stream.on('close', () => finish(intended, ok));
    stream.end(body);
  };
  close = () => session.close();
}
await runOpenLoop({
  rate,
  durationMs: (warmup + seconds) * 1000,
  sleep: preciseSleep,
  fire(n, intended) {
    if (n === 0) measureFrom = intended + warmup * 1000;
    inflight++;
    send(intended);
  },
});
while (inflight > 0) await new Promise((r) => setTimeout(r, 10));
close();
stopServer();

const s = latency.summary();
const ms = (v: number) => v.toFixed(3);
process.stdout.write(
  [
    `${grpcTarget ? `gRPC health Check on ${grpcTarget}, node:http2 client` : 'node:http2 echo (1 KB in, 200 B out)'}, open loop ${rate}/s for ${seconds} s (warm-up ${warmup} s)`,
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`,
    `calls measured ${s.count}, errors ${errors}`,
    `latency from intended start (ms): p50 ${ms(s.p50Ms)} p95 ${ms(s.p95Ms)} p99 ${ms(s.p99Ms)} p99.9 ${ms(s.p999Ms)} max ${ms(s.maxMs)}`,
  ].join('\n') + '\n',
);
process.exit(errors === 0 ? 0 : 1);
