import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  canonicalLeaf,
  createAuditLog,
  ensurePartitions,
  microsToIso,
  recordBody,
  recordToInsertJson,
  timestampToMicros,
} from '@nethical/audit-log';
import { hashLeaf, toBase64 } from '@nethical/merkle';
import { openSql } from '@nethical/postgres';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { anchorLeafHashes } from './anchor-tree';
import { createSyntheticRecords } from './synthetic-records';

/** Column order of the COPY, the same names `recordToInsertJson` produces (body last, as hex). */
const COLUMNS = [
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
] as const;

/** One CSV field: NULL unquoted-empty, everything else quoted (so empty strings stay strings). */
function csv(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : String(value);
  return `"${text.replaceAll('"', '""')}"`;
}

export interface IngestOptions {
  databaseUrl: string;
  count: number;
  batchSize: number;
  /** Records spread evenly over this many days ending now (all in the hot tier). */
  days: number;
  seed: number;
  /** Drop the two secondary indexes during the load and rebuild them after (timed in). */
  deferIndexes?: boolean | undefined;
  log: (line: string) => void;
}

export interface IngestResult {
  count: number;
  seconds: number;
  copySeconds: number;
  loaderCpuUsPerRecord: number;
  root: string;
  verifierKey: string;
}

/**
 * Load `count` synthetic records into the real schema with COPY (records and action ids), set
 * the sequence counter, and build the merkle-anchor tree (tiles + signed checkpoint) over their
 * canonical leaves. The database must be empty of audit and merkle tables.
 */
export async function bulkIngest(options: IngestOptions): Promise<IngestResult> {
  const sql = await openSql({ databaseUrl: options.databaseUrl, poolSize: 2 });
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  const dayMs = 86_400_000;
  const startMs = Math.floor(Date.now() / dayMs) * dayMs - (options.days - 1) * dayMs;
  const spacingUs = Math.max(1, Math.floor((options.days * dayMs * 1000) / options.count));
  try {
    // Schema and partitions exactly as the service creates them.
    const log = await createAuditLog({ sql, clock: { now: () => startMs } });
    await log.close();
    await ensurePartitions(sql, startMs, options.days + 1);
    const next = createSyntheticRecords({ seed: options.seed, startMs, spacingUs });
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    let copyMs = 0;
    let lastCommittedUs = 0n;
    const build = (first: number, n: number) => {
      const records: string[] = [];
      const ids: string[] = [];
      const leaves: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        const record = next(first + i);
        leaves.push(hashLeaf(canonicalLeaf(record)));
        const body = recordBody(record);
        const row = recordToInsertJson(record, body);
        const hex = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('hex');
        records.push(`${COLUMNS.map((c) => csv(row[c])).join(',')},\\x${hex}\n`);
        const at = microsToIso(timestampToMicros(record.committedAt!));
        ids.push(`${csv(record.actionId)},${first + i},${at}\n`);
        lastCommittedUs = timestampToMicros(record.committedAt!);
      }
      return { first, n, records, ids, leaves, lastUs: lastCommittedUs };
    };
    const copy = async (b: ReturnType<typeof build>): Promise<void> => {
      const t = performance.now();
      await client.query('BEGIN');
      await pipeline(
        Readable.from(b.records),
        client.query(
          copyFrom(`COPY audit_records (${COLUMNS.join(', ')}, body) FROM STDIN WITH (FORMAT csv)`),
        ),
      );
      await pipeline(
        Readable.from(b.ids),
        client.query(
          copyFrom(
            'COPY audit_action_ids (action_id, sequence, committed_at) FROM STDIN WITH (FORMAT csv)',
          ),
        ),
      );
      await client.query(
        'UPDATE audit_sequence SET next_sequence = $1, last_committed_at = $2::timestamptz',
        [b.first + b.n, microsToIso(b.lastUs)],
      );
      await client.query('COMMIT');
      copyMs += performance.now() - t;
      const elapsed = (performance.now() - started) / 1000;
      options.log(
        `ingested ${b.first + b.n}/${options.count} (${Math.round((b.first + b.n) / elapsed)} records/s)`,
      );
    };
    // Pipelined: while PostgreSQL copies batch k (its own process, the other core) this process
    // builds batch k+1, and the merkle tree of batch k-1 is committed on a second connection.
    async function* batches(): AsyncIterable<Uint8Array[]> {
      let inFlight: { done: Promise<void>; leaves: Uint8Array[] } | undefined;
      for (let first = 0; first < options.count; first += options.batchSize) {
        const b = build(first, Math.min(options.batchSize, options.count - first));
        if (inFlight) {
          await inFlight.done;
          yield inFlight.leaves;
        }
        inFlight = { done: copy(b), leaves: b.leaves };
      }
      if (inFlight) {
        await inFlight.done;
        yield inFlight.leaves;
      }
    }
    if (options.deferIndexes) {
      await sql.exec('DROP INDEX audit_records_agent_time; DROP INDEX audit_records_decision_time');
    }
    const tree = await anchorLeafHashes({ sql, batches: batches() });
    if (options.deferIndexes) {
      // The same definitions as migrations 1 and 2 (built per partition by PostgreSQL).
      await sql.exec(`CREATE INDEX audit_records_agent_time ON audit_records (agent_id, committed_at, sequence);
        CREATE INDEX audit_records_decision_time ON audit_records (decision, committed_at, sequence)
          WHERE decision <> 1`);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    return {
      count: options.count,
      seconds,
      copySeconds: copyMs / 1000,
      // CPU of this process per record (generation, leaves, CSV, tree): on a shared machine the
      // wall-clock rate is noisy, this much less so.
      loaderCpuUsPerRecord: (cpu.user + cpu.system) / options.count,
      root: toBase64(tree.root),
      verifierKey: tree.verifierKey,
    };
  } finally {
    await client.end();
    await sql.close();
  }
}
