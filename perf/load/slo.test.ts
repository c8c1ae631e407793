import { describe, expect, it } from 'vitest';
import { evaluateSlo, sloExitCode } from './slo';

describe('SLO evaluation', () => {
  const measured = { p99Ms: 120, errorRate: 0.002, completed: 1000 };

  it('passes within thresholds and with none given', () => {
    expect(evaluateSlo(measured, { p99Ms: 200, errorRate: 0.01 }).passed).toBe(true);
    expect(sloExitCode(evaluateSlo(measured, {}))).toBe(0);
  });

  it('fails with exit code 2 and names every missed threshold', () => {
    const result = evaluateSlo(measured, { p99Ms: 100, errorRate: 0.001 });
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual(['p99 120 ms > 100 ms', 'error rate 0.200 % > 0.100 %']);
    expect(sloExitCode(result)).toBe(2);
  });

  it('never passes a run in which nothing completed', () => {
    expect(evaluateSlo({ p99Ms: 0, errorRate: 0, completed: 0 }, {}).passed).toBe(false);
  });
});
