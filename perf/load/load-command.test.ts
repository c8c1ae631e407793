import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerLoadCommand } from './load-command';
import { LoadFlagsError, parseLoadFlags, parseSeconds } from './load-options';
import { startTrivialGateway, type TrivialGateway } from './testing/trivial-gateway';

describe('load flags', () => {
  it('parses durations and applies the defaults', () => {
    expect([
      parseSeconds('90'),
      parseSeconds('90s'),
      parseSeconds('2m'),
      parseSeconds('250ms'),
    ]).toEqual([90, 90, 120, 0.25]);
    const config = parseLoadFlags({ rps: '100', duration: '2m', seed: '9' });
    expect(config).toMatchObject({
      rps: 100,
      durationSec: 120,
      agents: 100,
      tenants: 0,
      protocol: 'http',
      seed: 9,
      warmupSec: 5,
    });
    expect(config.slo).toEqual({ p99Ms: undefined, errorRate: undefined });
  });

  it('reports every bad flag at once', () => {
    const bad = () =>
      parseLoadFlags({ rps: '-1', protocol: 'smtp', mix: 'evil=1', duration: 'soon' });
    expect(bad).toThrow(LoadFlagsError);
    try {
      bad();
    } catch (error) {
      const message = (error as Error).message;
      for (const flag of ['--rps', '--protocol', '--mix', '--duration'])
        expect(message).toContain(flag);
    }
  });
});

describe('load command', () => {
  let gateway: TrivialGateway;
  beforeAll(async () => {
    gateway = await startTrivialGateway();
  });
  afterAll(() => gateway.close());
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });

  const run = async (...args: string[]): Promise<number | string | undefined> => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const program = new Command().exitOverride();
    registerLoadCommand(program);
    await program.parseAsync(
      [
        'load',
        '--endpoint',
        gateway.httpUrl,
        '--rps',
        '20',
        '--duration',
        '0.5',
        '--warmup',
        '0',
        '--quiet',
        ...args,
      ],
      { from: 'user' },
    );
    return process.exitCode;
  };

  it('exits 0 when the SLOs hold and writes CSV + summary', async () => {
    const csv = join(mkdtempSync(join(tmpdir(), 'nethical-cmd-')), 'run.csv');
    expect(
      await run('--slo-p99-ms', '60000', '--slo-error-rate', '0', '--output', csv, '--seed', '5'),
    ).toBe(0);
    const summary = JSON.parse(readFileSync(csv.replace(/\.csv$/, '.summary.json'), 'utf8')) as {
      requests: number;
      seed: number;
      slo: { passed: boolean };
    };
    expect(summary).toMatchObject({ requests: 10, seed: 5, slo: { passed: true } });
  });

  it('exits 2 when the run misses its p99 SLO', async () => {
    expect(await run('--slo-p99-ms', '0.001')).toBe(2);
  });

  it('exits 1 on bad flags', async () => {
    expect(await run('--protocol', 'smtp')).toBe(1);
  });
});
