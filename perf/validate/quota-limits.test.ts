import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseQuotaLimits } from '../../apps/quota/src/domain/limits-config';
import { defaultValidateOptions as d } from './validate-options';

describe('perf/validate/quota-limits.json', () => {
  const limits = parseQuotaLimits(
    JSON.parse(readFileSync(new URL('quota-limits.json', import.meta.url), 'utf8')),
    'quota-limits.json',
  );

  it('is a valid quota limits file whose caps sit above every default test rate', () => {
    const peak = Math.max(
      d.sustained.rps,
      d.peak.rps,
      d.concurrent.rps,
      d.storage.rps,
      d.failover.rps,
    );
    expect(limits.defaults.region?.rate).toBeGreaterThan(peak);
    expect(limits.defaults.tenant?.rate).toBeGreaterThan(peak);
    // Per agent: the busiest test sends rps / agents actions per second to each agent.
    const perAgent = Math.max(
      d.sustained.rps / d.sustained.agents,
      d.peak.rps / d.peak.agents,
      d.failover.rps / d.failover.agents,
    );
    expect(limits.defaults.agent?.rate).toBeGreaterThan(perAgent * 5);
  });
});
