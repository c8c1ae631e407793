import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { cpuUsageGauge } from './metrics';

/** CPU percent of this process over `fn`, measured independently of the gauge. */
function measured(fn: () => void): number {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const cpu = process.cpuUsage(cpu0);
  return ((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100;
}

describe('nethical_cpu_usage_percent', () => {
  it('is the CPU used since the previous scrape, in percent of one core', async () => {
    const registry = new Registry();
    const gauge = cpuUsageGauge(registry);
    await gauge.get(); // first scrape: since process start
    const expected = measured(() => {
      const end = Date.now() + 300;
      while (Date.now() < end); // busy: one core, or what a shared machine leaves us
    });
    const busy = (await gauge.get()).values[0]!.value;
    await new Promise((r) => setTimeout(r, 300)); // idle
    const idle = (await gauge.get()).values[0]!.value;
    expect(Math.abs(busy - expected)).toBeLessThan(15);
    expect(idle).toBeLessThan(busy);
  });
});

describe('default metrics', () => {
  // Wake-ups of an otherwise idle process over one second, read from /proc by the process itself
  // (a child, so this runner's own timers do not count). prom-client's default sampling of the
  // event-loop delay (every 10 ms) alone gives ~100.
  it.runIf(existsSync('/proc/self/status'))(
    'do not wake an idle process every 10 ms, and still report the event-loop delay',
    () => {
      const metricsModule = fileURLToPath(new URL('./metrics.ts', import.meta.url));
      const script = `
        const { createServiceMetrics } = await import(${JSON.stringify(metricsModule)});
        const { readFileSync } = await import('node:fs');
        const wakes = () => Number(readFileSync('/proc/self/status', 'utf8').match(/^voluntary_ctxt_switches:\\s+(\\d+)/m)[1]);
        const metrics = createServiceMetrics('idle-test');
        const keepAlive = setInterval(() => {}, 60_000);
        await new Promise((r) => setTimeout(r, 300));
        const before = wakes();
        await new Promise((r) => setTimeout(r, 1000));
        const woken = wakes() - before;
        const text = await metrics.registry.metrics();
        clearInterval(keepAlive);
        console.log(JSON.stringify({ woken, lag: /^nodejs_eventloop_lag_p99_seconds\\{[^}]*\\} [0-9.e+-]+$/m.test(text) }));
        process.exit(0);`;
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          encoding: 'utf8',
        },
      );
      const { woken, lag } = JSON.parse(out.trim().split('\n').pop()!) as {
        woken: number;
        lag: boolean;
      };
      expect(lag).toBe(true);
      expect(woken).toBeLessThan(40);
    },
  );
});
