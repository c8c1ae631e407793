import { createAuditLog } from '@nethical/audit-log';
import { openSql } from '@nethical/postgres';
import hdr from 'hdr-histogram-js';
import { createSyntheticRecords } from './synthetic-records';

export interface OnlineResult {
  /** CPU of this (audit-store side) process per append. */
  serviceCpuUsPerAppend: number;
  appends: number;
  seconds: number;
  rate: number;
  latencyMs: { p50: number; p99: number; max: number };
  concurrency: number;
  batchMaxRecords: number;
  batchMaxDelayMs: number;
}

/**
 * The online path: `concurrency` callers append in a loop through `createAuditLog` (group
 * commit, acknowledged after COMMIT, synchronous_commit as configured on the server) for
 * `count` appends in total. Reports sustained rate and per-append latency percentiles.
 */
export async function onlineAppend(options: {
  databaseUrl: string;
  count: number;
  concurrency: number;
  batchMaxRecords: number;
  batchMaxDelayMs: number;
}): Promise<OnlineResult> {
  const sql = await openSql({ databaseUrl: options.databaseUrl, poolSize: 4 });
  const log = await createAuditLog({
    sql,
    batchMaxRecords: options.batchMaxRecords,
    batchMaxDelayMs: options.batchMaxDelayMs,
    queueMaxRecords: options.concurrency * 2,
  });
  const next = createSyntheticRecords({ seed: 99, startMs: Date.now(), spacingUs: 1 });
  const latency = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const runId = Date.now().toString(36);
  let issued = 0;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const worker = async (): Promise<void> => {
    while (issued < options.count) {
      const i = issued++;
      const record = next(i);
      record.actionId = `online-${runId}-${i}`;
      const t = performance.now();
      await log.append(record);
      latency.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    return {
      serviceCpuUsPerAppend: (cpu.user + cpu.system) / options.count,
      appends: options.count,
      seconds,
      rate: options.count / seconds,
      latencyMs: {
        p50: latency.getValueAtPercentile(50) / 1000,
        p99: latency.getValueAtPercentile(99) / 1000,
        max: latency.maxValue / 1000,
      },
      concurrency: options.concurrency,
      batchMaxRecords: options.batchMaxRecords,
      batchMaxDelayMs: options.batchMaxDelayMs,
    };
  } finally {
    await log.close();
    await sql.close();
  }
}
