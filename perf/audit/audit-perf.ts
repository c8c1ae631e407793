/**
 * Audit load tests. Run from the repo root:
 *
 *   npx tsx perf/audit/audit-perf.ts ingest  --count 1000000   # COPY bulk load + merkle tree
 *   npx tsx perf/audit/audit-perf.ts measure --verify          # bytes/action, p99s, audit rate
 *   npx tsx perf/audit/audit-perf.ts online  --count 20000     # appends through createAuditLog
 *   npx tsx perf/audit/audit-perf.ts all --count 10000000      # the 10M run
 *
 * Each works on its own database (default `nethical_bench_audit` / `nethical_bench_online` on
 * the server of NETHICAL_TEST_DATABASE_URL), recreated by `ingest` and `online`.
 */
import { openSql } from '@nethical/postgres';
import { testDatabaseUrl } from '@nethical/testing';
import { Command } from 'commander';
import { bulkIngest } from './bulk-ingest';
import { measureAudit } from './measure';
import { onlineAppend } from './online-append';

function databaseUrl(name: string): string {
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function recreate(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
  const admin = await openSql({ databaseUrl: testDatabaseUrl, poolSize: 1 });
  try {
    await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.exec(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
}

const print = (line: string): void => console.error(line);
const int = (v: string): number => Number.parseInt(v, 10);

const program = new Command('audit-perf');
program
  .command('ingest')
  .option(
    '--database-url <url>',
    'database to recreate and load',
    databaseUrl('nethical_bench_audit'),
  )
  .option('--count <n>', 'records to load (10000000 for the 10M run)', int, 1_000_000)
  .option('--batch-size <n>', 'records per COPY transaction', int, 50_000)
  .option('--days <n>', 'days the records are spread over', int, 7)
  .option('--seed <n>', 'PRNG seed', int, 42)
  .option('--workers <n>', 'worker threads building batches (0: main thread)', int, 2)
  .option('--defer-indexes', 'build the secondary indexes after the load', false)
  .action(
    async (o: {
      workers: number;
      deferIndexes: boolean;
      databaseUrl: string;
      count: number;
      batchSize: number;
      days: number;
      seed: number;
    }) => {
      await recreate(o.databaseUrl);
      const r = await bulkIngest({ ...o, log: print });
      console.log(
        JSON.stringify(
          { ingest: { ...r, rate: r.count / r.seconds, copyRate: r.count / r.copySeconds } },
          null,
          2,
        ),
      );
    },
  );
program
  .command('measure')
  .option(
    '--database-url <url>',
    'a database loaded by ingest',
    databaseUrl('nethical_bench_audit'),
  )
  .option('--samples <n>', 'lookups and lists to time', int, 2000)
  .option('--verify', 'also run the full audit and report its rate', false)
  .action(async (o: { databaseUrl: string; samples: number; verify: boolean }) => {
    console.log(JSON.stringify({ measure: await measureAudit({ ...o, log: print }) }, null, 2));
  });
program
  .command('online')
  .option('--database-url <url>', 'database to recreate', databaseUrl('nethical_bench_online'))
  .option('--count <n>', 'appends', int, 20_000)
  .option('--concurrency <n>', 'concurrent appenders', int, 256)
  .option('--batch-max-records <n>', 'group commit size', int, 256)
  .option('--batch-max-delay-ms <n>', 'group commit delay', int, 5)
  .action(
    async (o: {
      databaseUrl: string;
      count: number;
      concurrency: number;
      batchMaxRecords: number;
      batchMaxDelayMs: number;
    }) => {
      await recreate(o.databaseUrl);
      console.log(JSON.stringify({ online: await onlineAppend(o) }, null, 2));
    },
  );
program
  .command('all')
  .option('--count <n>', 'records for ingest (10000000 for the 10M run)', int, 1_000_000)
  .action(async (o: { count: number }) => {
    const url = databaseUrl('nethical_bench_audit');
    await recreate(url);
    const ingest = await bulkIngest({
      databaseUrl: url,
      count: o.count,
      batchSize: 50_000,
      days: 7,
      seed: 42,
      log: print,
    });
    const measure = await measureAudit({
      databaseUrl: url,
      samples: 2000,
      verify: true,
      log: print,
    });
    const onlineUrl = databaseUrl('nethical_bench_online');
    await recreate(onlineUrl);
    const online = await onlineAppend({
      databaseUrl: onlineUrl,
      count: 20_000,
      concurrency: 256,
      batchMaxRecords: 256,
      batchMaxDelayMs: 5,
    });
    console.log(
      JSON.stringify(
        { ingest: { ...ingest, rate: ingest.count / ingest.seconds }, measure, online },
        null,
        2,
      ),
    );
  });

await program.parseAsync();
