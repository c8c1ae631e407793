import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { equalBytes, hashLeaf, rootFromLeafHashes } from '@nethical/merkle';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from './audit-log';
import { readArchivedRecords } from './archive-files';
import { listPartitions } from './partitions';
import { runRetention } from './retention';
import { resetAuditSchema, sampleRecord, testTargets, type TestDatabase } from './test-support';
import { verifyAuditLog } from './verify';

const targets = await testTargets();
const DAY = 86_400_000;
const D = Date.UTC(2026, 10, 27, 12);

describe.each(targets)('retention on %s', (_name, openDb) => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openDb();
  });
  afterAll(() => db.drop());
  afterEach(async () => {
    await resetAuditSchema(db.sql);
    await rm(dir, { recursive: true, force: true });
  });

  /** Records on days D-10, D-9 and D; returns every leaf in sequence order. */
  async function fill(regionOf: (i: number) => string = () => 'eu-west-1'): Promise<Uint8Array[]> {
    dir = await mkdtemp(join(tmpdir(), 'nethical-archive-'));
    let now = D - 10 * DAY;
    const log = await createAuditLog({
      sql: db.sql,
      clock: { now: () => now },
      batchMaxDelayMs: 1,
    });
    const leaves: Uint8Array[] = [];
    for (let i = 0; i < 30; i++) {
      if (i === 10) now = D - 9 * DAY;
      if (i === 20) now = D;
      leaves.push((await log.append(sampleRecord(i, { regionId: regionOf(i) }))).record.leaf);
    }
    await log.close();
    return leaves;
  }

  it('archives old partitions to zstd files whose leaves, with the live rows, reproduce the root', async () => {
    const leaves = await fill();
    const report = await runRetention({
      sql: db.sql,
      archiveDir: dir,
      regionId: 'eu-west-1',
      residency: 'EU_GDPR',
      clock: { now: () => D },
    });
    expect(report.archived.map((m) => [m.firstSequence, m.lastSequence, m.records])).toEqual([
      ['0', '9', 10],
      ['10', '19', 10],
    ]);
    expect((await listPartitions(db.sql)).filter((p) => p.toMs <= D - 7 * DAY)).toEqual([]);
    const live = await db.sql.query<{ n: bigint }>('SELECT count(*)::int8 AS n FROM audit_records');
    expect(live.rows[0]!.n).toBe(10n);
    const verified = await verifyAuditLog({
      sql: db.sql,
      archived: readArchivedRecords(join(dir, 'eu-west-1')),
    });
    expect(verified.failure).toBeUndefined();
    expect(verified.records).toBe(30);
    expect(equalBytes(verified.root, rootFromLeafHashes(leaves.map(hashLeaf)))).toBe(true);
    // Without the archive the live rows alone do not start at 0: the audit says so.
    expect((await verifyAuditLog({ sql: db.sql })).failure?.check).toBe('gap');
  });

  it('moves files warm → cold → archive within the region folder, then purges them and their ids', async () => {
    const leaves = await fill();
    const region = join(dir, 'eu-west-1');
    await runRetention({
      sql: db.sql,
      archiveDir: dir,
      regionId: 'eu-west-1',
      clock: { now: () => D },
    });
    const later = (days: number) =>
      runRetention({
        sql: db.sql,
        archiveDir: dir,
        regionId: 'eu-west-1',
        clock: { now: () => D + days * DAY },
      });
    expect((await later(25)).movedToCold).toHaveLength(2);
    // Meanwhile today's partition aged out of the hot tier into warm.
    expect(await readdir(join(region, 'warm'))).toEqual([
      'audit_records_p20261127.manifest.json',
      'audit_records_p20261127.ndjson.zst',
    ]);
    const cold = await verifyAuditLog({ sql: db.sql, archived: readArchivedRecords(region) });
    expect(equalBytes(cold.root, rootFromLeafHashes(leaves.map(hashLeaf)))).toBe(true);
    expect((await later(360)).movedToArchive).toHaveLength(2);
    expect(await readdir(join(region, 'archive'))).toHaveLength(4);
    expect((await later(7 * 365)).purged).toEqual([
      'audit_records_p20261117',
      'audit_records_p20261118',
    ]);
    expect(await readdir(join(region, 'archive'))).toEqual([
      'audit_records_p20261127.manifest.json',
      'audit_records_p20261127.ndjson.zst',
    ]);
    const ids = await db.sql.query<{ n: bigint }>(
      'SELECT count(*)::int8 AS n FROM audit_action_ids',
    );
    expect(ids.rows[0]!.n).toBe(10n);
  });

  it('under EU_GDPR refuses to archive a record of another region, and leaves the partition in place', async () => {
    await fill((i) => (i === 5 ? 'us-east-1' : 'eu-west-1'));
    await expect(
      runRetention({
        sql: db.sql,
        archiveDir: dir,
        regionId: 'eu-west-1',
        residency: 'EU_GDPR',
        clock: { now: () => D },
      }),
    ).rejects.toThrow(/residency/);
    const live = await db.sql.query<{ n: bigint }>('SELECT count(*)::int8 AS n FROM audit_records');
    expect(live.rows[0]!.n).toBe(30n);
    await expect(
      runRetention({
        sql: db.sql,
        archiveDir: dir,
        regionId: '../elsewhere',
        clock: { now: () => D },
      }),
    ).rejects.toThrow(/region id/);
  });
});
