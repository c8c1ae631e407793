import { writeFileSync } from 'node:fs';
import path from 'node:path';

interface Limit {
  rate: number;
  burst: number;
  keepBurst?: boolean;
}

/**
 * Write a quota limits file (`NETHICAL_QUOTA_LIMITS_FILE`, schema in apps/quota) with these
 * defaults into `dir`; returns its path. For tests and benchmarks that need their own limits.
 */
export function writeQuotaLimitsFile(
  dir: string,
  defaults: { agent?: Limit; tenant?: Limit; region?: Limit },
): string {
  const file = path.join(dir, 'limits.json');
  writeFileSync(file, JSON.stringify({ version: 1, defaults }));
  return file;
}
