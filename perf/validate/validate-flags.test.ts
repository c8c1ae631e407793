import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseValidateFlags, validateFlagSpecs } from './validate-flags';
import { defaultValidateOptions, serviceUrl } from './validate-options';

const parse = (...args: string[]) => {
  const program = new Command().exitOverride();
  for (const [flags, description, fallback] of validateFlagSpecs)
    program.option(flags, description, fallback);
  program.parse(args, { from: 'user' });
  return parseValidateFlags(program.opts(), (name) => program.getOptionValueSource(name) === 'cli');
};

describe('validate flags', () => {
  it('defaults to the seed targets with real Redis and PostgreSQL', () => {
    const o = parse();
    expect(o.sustained).toEqual(defaultValidateOptions.sustained);
    expect(o.peak.rps).toBe(2500);
    expect(o.concurrent.agents).toBe(10_000);
    expect(o.redisUrl).toBe('redis://127.0.0.1:6379/3');
    expect(o.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/nethical_perf');
    expect(o.measureDatabase).toBe(true);
    // Default durations add up to well under 15 minutes of load.
    const loadSec =
      o.sustained.durationSec +
      o.peak.durationSec +
      o.concurrent.durationSec +
      o.storage.count / o.storage.rps +
      o.failover.durationSec;
    expect(loadSec + 5 * (o.warmupSec + 5)).toBeLessThan(10 * 60);
  });

  it('--quick shortens only what was not given explicitly', () => {
    const o = parse('--quick', '--peak-duration', '40');
    expect(o.sustained.durationSec).toBe(15);
    expect(o.peak.durationSec).toBe(40);
    expect(o.concurrent.agents).toBe(2_000);
  });

  it('parses --only, --env and durations, and rejects bad values all at once', () => {
    const o = parse(
      '--only',
      '1,5',
      '--env',
      'NETHICAL_LOG_LEVEL=warn,NETHICAL_X=a=b',
      '--sustained-duration',
      '5m',
    );
    expect(o.only).toEqual([1, 5]);
    expect(o.serviceEnv).toEqual({ NETHICAL_LOG_LEVEL: 'warn', NETHICAL_X: 'a=b' });
    expect(o.sustained.durationSec).toBe(300);
    expect(() => parse('--only', '7', '--failover-service', 'nope')).toThrow(
      /--only[\s\S]*--failoverService/,
    );
  });

  it('derives service URLs from the gateway port', () => {
    expect(serviceUrl('http://127.0.0.1:8600', 'policy-judge')).toBe('http://127.0.0.1:8602');
    expect(() => serviceUrl('http://127.0.0.1:8600', 'nope')).toThrow();
  });
});
