/**
 * How fast can the generator itself go? Runs it against the trivial gateway (in its own process)
 * at rising rates and reports, per rate, the achieved rate, the generator's dispatch lag and
 * the latency. The generator's ceiling is the highest rate it still offers on time (dispatch
 * lag p99 ≤ 10 ms) with ≥ 97 % achieved; figures above it describe the generator, not a server.
 *
 *   npx tsx perf/load/self-bench.ts --protocol http --rates 500,1000,2000,4000 --duration 5
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { defaultMix } from './action-generator';
import { runLoad } from './run-load';
import type { Protocol } from './senders/sender';

const here = path.dirname(fileURLToPath(import.meta.url));
const opts = new Command('self-bench')
  .option('--protocol <p>', 'http | grpc | connect', 'http')
  .option('--rates <list>', 'rates to try, per second', '250,500,1000,2000,4000')
  .option('--duration <s>', 'seconds per rate', '5')
  .option('--connections <n>', 'connections', '32')
  .option('--port <port>', 'trivial gateway HTTP port (HTTP/2 on the next)', '18700')
  .parse()
  .opts<{
    protocol: Protocol;
    rates: string;
    duration: string;
    connections: string;
    port: string;
  }>();

const port = Number(opts.port);
const server = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    path.join(here, 'testing/trivial-gateway.ts'),
    '--port',
    String(port),
    '--h2-port',
    String(port + 1),
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
await new Promise<void>((resolve, reject) => {
  server.once('exit', (code) => reject(new Error(`trivial gateway exited (${code})`)));
  server.stdout.on('data', (c: Buffer) => c.toString().includes('listening') && resolve());
});

const rows: string[] = [
  '| rate/s | achieved/s | dispatch lag p99 / max ms | latency p50 / p99 ms | errors | generator CPU µs/request | on time |',
  '|---|---|---|---|---|---|---|',
];
let ceiling = 0;
try {
  for (const rate of opts.rates.split(',').map(Number)) {
    // CPU time per request is the figure least disturbed by other work on a shared machine.
    const cpuBefore = process.cpuUsage();
    const s = await runLoad(
      {
        endpoint: `http://127.0.0.1:${opts.protocol === 'http' ? port : port + 1}`,
        protocol: opts.protocol,
        agents: 1000,
        rps: rate,
        durationSec: Number(opts.duration),
        warmupSec: 1,
        connections: Number(opts.connections),
        mix: defaultMix,
        seed: 1,
        maxInFlight: 100_000,
        timeoutMs: 30_000,
        slo: {},
      },
      { progress: null },
    );
    const cpu = process.cpuUsage(cpuBefore);
    const cpuPerRequest = Math.round((cpu.user + cpu.system) / Math.max(1, s.requests + rate));
    const onTime = s.dispatchLag.p99Ms <= 10 && s.achievedRps >= 0.97 * rate && s.errors === 0;
    if (onTime) ceiling = rate;
    rows.push(
      `| ${rate} | ${s.achievedRps.toFixed(0)} | ${s.dispatchLag.p99Ms} / ${s.dispatchLag.maxMs} | ${s.latency.p50Ms} / ${s.latency.p99Ms} | ${s.errors} | ${cpuPerRequest} | ${onTime ? 'yes' : 'no'} |`,
    );
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
} finally {
  server.kill('SIGTERM');
}
process.stdout.write(
  `${rows.join('\n')}\n\n${opts.protocol}: generator on time up to ${ceiling || '<' + opts.rates.split(',')[0]}/s on this machine (load average ${(
    await import('node:os')
  )
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')})\n`,
);
