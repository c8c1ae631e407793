import {
  canonicalLeaf,
  microsToIso,
  partitionFor,
  recordBody,
  recordToInsertJson,
  timestampToMicros,
} from '@nethical/audit-log';
import type { auditv1 } from '@nethical/contracts';
import { hashLeaf, HASH_SIZE } from '@nethical/merkle';

/** Column order of the COPY into audit_records, the names `recordToInsertJson` produces. */
export const COPY_COLUMNS = [
  'sequence',
  'action_id',
  'agent_id',
  'tenant_id',
  'region_id',
  'action_type',
  'decision',
  'risk_score',
  'ml_score',
  'received_at',
  'committed_at',
  'body',
] as const;

/** One batch, ready to COPY: CSV text per day partition, action ids, leaf hashes. */
export interface BuiltBatch {
  first: number;
  n: number;
  /** CSV of audit_records rows, per partition table, in sequence order. */
  parts: Array<{ partition: string; csv: string }>;
  /** CSV of audit_action_ids rows. */
  ids: string;
  /** n leaf hashes of HASH_SIZE bytes, in sequence order. */
  leaves: Uint8Array;
  /** committed_at of the last record, µs since the epoch (decimal). */
  lastUs: string;
}

/** One CSV field: NULL unquoted-empty, everything else quoted (so empty strings stay strings). */
function csv(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : String(value);
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * Build records [first, first + n): canonical leaf hash, compressed body, CSV lines grouped
 * by the day partition they belong to (the loader COPYs straight into each partition, skipping
 * per-row routing). Pure CPU work: runs in worker threads (ingest-worker.ts).
 */
export function buildBatch(
  next: (sequence: number) => auditv1.AuditRecord,
  first: number,
  n: number,
): BuiltBatch {
  const parts: Array<{ partition: string; lines: string[] }> = [];
  const ids: string[] = [];
  const leaves = new Uint8Array(n * HASH_SIZE);
  let lastUs = 0n;
  for (let i = 0; i < n; i++) {
    const record = next(first + i);
    leaves.set(hashLeaf(canonicalLeaf(record)), i * HASH_SIZE);
    const body = recordBody(record);
    const row = recordToInsertJson(record, body);
    row.body = `\\x${Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('hex')}`;
    const committedUs = timestampToMicros(record.committedAt!);
    const partition = partitionFor(Number(committedUs / 1000n)).name;
    let part = parts[parts.length - 1];
    if (part?.partition !== partition) {
      part = { partition, lines: [] };
      parts.push(part);
    }
    part.lines.push(COPY_COLUMNS.map((c) => csv(row[c])).join(','));
    ids.push(`${csv(record.actionId)},${first + i},${microsToIso(committedUs)}`);
    lastUs = committedUs;
  }
  return {
    first,
    n,
    parts: parts.map((p) => ({ partition: p.partition, csv: `${p.lines.join('\n')}\n` })),
    ids: `${ids.join('\n')}\n`,
    leaves,
    lastUs: lastUs.toString(),
  };
}
