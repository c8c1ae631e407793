import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { createAuditLog, ensurePartitions, microsToIso } from '@nethical/audit-log';
import { HASH_SIZE, toBase64 } from '@nethical/merkle';
import { openSql } from '@nethical/postgres';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { anchorLeafHashes } from './anchor-tree';
import { buildBatch, COPY_COLUMNS, type BuiltBatch } from './ingest-batch';
import { createSyntheticRecords, type SyntheticOptions } from './synthetic-records';

export interface IngestOptions {
  databaseUrl: string;
  count: number;
  batchSize: number;
  /** Records spread evenly over this many days ending now (all in the hot tier). */
  days: number;
  seed: number;
  /** Worker threads building batches (0: build on the main thread). Default 2. */
  workers?: number | undefined;
  /** Drop the two secondary indexes during the load and rebuild them after (timed in). */
  deferIndexes?: boolean | undefined;
  log: (line: string) => void;
}

export interface IngestResult {
  count: number;
  seconds: number;
  copySeconds: number;
  /** CPU of the loader process (all threads) per record. */
  loaderCpuUsPerRecord: number;
  /** CPU of the PostgreSQL backend that ran the COPYs, per record (when it runs on this host). */
  serverCpuUsPerRecord: number | undefined;
  workers: number;
  root: string;
  verifierKey: string;
}

/** utime + stime of a local process in µs, from /proc (undefined when not on this host). */
async function processCpuUs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5) (utime, stime), counted after "pid (comm) ", in 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** Builds batches on worker threads, or inline; `build` resolves in request order per call. */
function createBuilders(
  workers: number,
  synthetic: SyntheticOptions,
): { build: (first: number, n: number) => Promise<BuiltBatch>; close: () => Promise<void> } {
  if (workers === 0) {
    const next = createSyntheticRecords(synthetic);
    return {
      build: (first, n) => Promise.resolve(buildBatch(next, first, n)),
      close: () => Promise.resolve(),
    };
  }
  // The worker is TypeScript: load it through tsx's API (a plain `new Worker(file.ts)` is not
  // seen by the tsx loader on Node 20).
  const file = JSON.stringify(new URL('./ingest-worker.ts', import.meta.url).href);
  const pool = Array.from({ length: workers }, () => {
    const worker = new Worker(
      `import('tsx/esm/api').then(({ tsImport }) => tsImport(${file}, ${file}))`,
      { eval: true, workerData: synthetic },
    );
    const slot = {
      worker,
      failed: undefined as unknown,
      waiting: [] as Array<{ resolve: (b: BuiltBatch) => void; reject: (e: unknown) => void }>,
    };
    const fail = (err: unknown): void => {
      slot.failed ??= err;
      for (const w of slot.waiting.splice(0)) w.reject(err);
    };
    worker.on('message', (b: BuiltBatch) => slot.waiting.shift()?.resolve(b));
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`ingest worker exited with code ${code}`)));
    return slot;
  });
  let turn = 0;
  return {
    build(first, n) {
      const slot = pool[turn++ % pool.length]!;
      if (slot.failed) return Promise.reject(slot.failed);
      return new Promise((resolve, reject) => {
        slot.waiting.push({ resolve, reject });
        slot.worker.postMessage({ first, n });
      });
    },
    async close() {
      await Promise.all(pool.map((p) => p.worker.terminate()));
    },
  };
}

/**
 * Load `count` synthetic records into the real schema with COPY (records straight into their
 * day partition, and action ids), set the sequence counter, and build the merkle-anchor tree
 * (tiles + signed checkpoint) over their canonical leaves. The database must be empty of audit
 * and merkle tables.
 *
 * Pipeline: worker threads build the next batches (records, leaf hashes, compressed bodies,
 * CSV) while this thread streams the current batch to PostgreSQL (its own process) and the
 * tree of the previous one is committed on a second connection.
 */
export async function bulkIngest(options: IngestOptions): Promise<IngestResult> {
  const workers = options.workers ?? 2;
  const sql = await openSql({ databaseUrl: options.databaseUrl, poolSize: 2 });
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  const dayMs = 86_400_000;
  const startMs = Math.floor(Date.now() / dayMs) * dayMs - (options.days - 1) * dayMs;
  const spacingUs = Math.max(1, Math.floor((options.days * dayMs * 1000) / options.count));
  const builders = createBuilders(workers, { seed: options.seed, startMs, spacingUs });
  try {
    // Schema and partitions exactly as the service creates them.
    const log = await createAuditLog({ sql, clock: { now: () => startMs } });
    await log.close();
    await ensurePartitions(sql, startMs, options.days + 1);
    const backendPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
      .rows[0]!.pid;
    const serverCpuStart = await processCpuUs(backendPid);
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    let copyMs = 0;
    const copy = async (b: BuiltBatch): Promise<void> => {
      const t = performance.now();
      await client.query('BEGIN');
      for (const part of b.parts) {
        await pipeline(
          Readable.from([part.csv]),
          client.query(
            copyFrom(
              `COPY ${part.partition} (${COPY_COLUMNS.join(', ')}) FROM STDIN WITH (FORMAT csv)`,
            ),
          ),
        );
      }
      await pipeline(
        Readable.from([b.ids]),
        client.query(
          copyFrom(
            'COPY audit_action_ids (action_id, sequence, committed_at) FROM STDIN WITH (FORMAT csv)',
          ),
        ),
      );
      await client.query(
        'UPDATE audit_sequence SET next_sequence = $1, last_committed_at = $2::timestamptz',
        [b.first + b.n, microsToIso(BigInt(b.lastUs))],
      );
      await client.query('COMMIT');
      copyMs += performance.now() - t;
      const elapsed = (performance.now() - started) / 1000;
      options.log(
        `ingested ${b.first + b.n}/${options.count} (${Math.round((b.first + b.n) / elapsed)} records/s)`,
      );
    };
    // Batches are requested ahead (one per worker, plus one) and copied in order.
    async function* batches(): AsyncIterable<Uint8Array[]> {
      const ahead: Array<Promise<BuiltBatch>> = [];
      let nextFirst = 0;
      const request = (): void => {
        if (nextFirst >= options.count) return;
        const n = Math.min(options.batchSize, options.count - nextFirst);
        ahead.push(builders.build(nextFirst, n));
        nextFirst += n;
      };
      for (let k = 0; k <= Math.max(1, workers); k++) request();
      let inFlight: { done: Promise<void>; leaves: Uint8Array } | undefined;
      while (ahead.length > 0) {
        const b = await ahead.shift()!;
        request();
        if (inFlight) {
          await inFlight.done;
          yield split(inFlight.leaves);
        }
        inFlight = { done: copy(b), leaves: b.leaves };
      }
      if (inFlight) {
        await inFlight.done;
        yield split(inFlight.leaves);
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
    const serverCpuEnd = await processCpuUs(backendPid);
    return {
      count: options.count,
      seconds,
      copySeconds: copyMs / 1000,
      // CPU per record of this process (all threads: generation, leaves, bodies, CSV, tree) and
      // of the COPY backend: on a shared machine the wall-clock rate is noisy, these much less.
      loaderCpuUsPerRecord: (cpu.user + cpu.system) / options.count,
      serverCpuUsPerRecord:
        serverCpuStart !== undefined && serverCpuEnd !== undefined
          ? (serverCpuEnd - serverCpuStart) / options.count
          : undefined,
      workers,
      root: toBase64(tree.root),
      verifierKey: tree.verifierKey,
    };
  } finally {
    await builders.close();
    await client.end();
    await sql.close();
  }
}

function split(leaves: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < leaves.length; i += HASH_SIZE) out.push(leaves.subarray(i, i + HASH_SIZE));
  return out;
}
