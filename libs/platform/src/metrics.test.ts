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
