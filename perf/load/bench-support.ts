import { createHash } from 'node:crypto';
import { writeQuotaLimitsFile } from '@nethical/testing';

/**
 * Machine speed in this run, for the calibration figure printed beside every mesh figure:
 * 1 KB JSON parse + stringify + SHA-256 per operation, one core, 2 s. Ops/s.
 */
export function calibrate(): number {
  const body = JSON.stringify({ agent_id: 'a', action: 'x'.repeat(1000), context: { k: 1 } });
  const end = performance.now() + 2000;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++)
      createHash('sha256')
        .update(JSON.stringify(JSON.parse(body)))
        .digest();
    n += 100;
  }
  return Math.round(n / 2);
}

/**
 * A quota limits file (NETHICAL_QUOTA_LIMITS_FILE) so generous that quota never refuses: a
 * benchmark then measures the mesh's capacity, not its rate limits. Returns its path.
 */
export function writeUnlimitedQuotaFile(dir: string): string {
  return writeQuotaLimitsFile(dir, {
    agent: { rate: 10_000, burst: 10_000 },
    tenant: { rate: 100_000, burst: 100_000 },
    region: { rate: 100_000, burst: 100_000, keepBurst: true },
  });
}
