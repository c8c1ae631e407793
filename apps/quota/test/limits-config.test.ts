import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadQuotaLimits } from '../src/adapters/limits-file';
import { QuotaConfigError } from '../src/domain/errors';
import { parseQuotaLimits } from '../src/domain/limits-config';
import { actionCost } from '../src/domain/cost';

describe('limits config', () => {
  it('loads the shipped config/quota/limits.json', async () => {
    const limits = await loadQuotaLimits(
      new URL('../../../config/quota/limits.json', import.meta.url).pathname,
    );
    expect(limits.version).toBe(1);
    expect(limits.defaults.agent?.rate).toBeGreaterThan(0);
  });

  it('reports every error at once', () => {
    let error: unknown;
    try {
      parseQuotaLimits({
        version: 2,
        defaults: { agent: { rate: 0, burst: 1.5 } },
        agents: { x: { rate: 1, burst: 1, extra: true } },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QuotaConfigError);
    const issues = (error as QuotaConfigError).issues.join('\n');
    expect(issues).toContain('version');
    expect(issues).toContain('defaults.agent.rate');
    expect(issues).toContain('defaults.agent.burst');
    expect(issues).toMatch(/agents\.x.*extra|extra/);
    expect((error as QuotaConfigError).issues.length).toBeGreaterThanOrEqual(4);
  });

  it('rejects unreadable and malformed files with a typed error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'quota-limits-'));
    const file = join(dir, 'limits.json');
    await writeFile(file, '{ not json');
    await expect(loadQuotaLimits(file)).rejects.toBeInstanceOf(QuotaConfigError);
    await expect(loadQuotaLimits(join(dir, 'missing.json'))).rejects.toBeInstanceOf(
      QuotaConfigError,
    );
  });
});

describe('actionCost', () => {
  it('is 1 + floor(bytes / unit) unless given explicitly', () => {
    expect(actionCost({}, 1000, 10_000)).toBe(1);
    expect(actionCost({ payloadBytes: 999 }, 1000, 10_000)).toBe(1);
    expect(actionCost({ payloadBytes: 1000 }, 1000, 10_000)).toBe(2);
    expect(actionCost({ payloadBytes: 10_000 }, 1000, 10_000)).toBe(11);
    expect(actionCost({ payloadBytes: 5000, cost: 3 }, 1000, 10_000)).toBe(3);
    expect(actionCost({ cost: 0 }, 1000, 10_000)).toBe(1);
    expect(() => actionCost({ cost: 1.5 }, 1000, 10_000)).toThrow(/cost/);
    expect(() => actionCost({ payloadBytes: -1 }, 1000, 10_000)).toThrow(/payload_bytes/);
  });
});
