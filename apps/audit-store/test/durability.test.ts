import {
  auditTesting,
  AuditUnavailableError,
  createAuditLog,
  type AuditLog,
} from '@nethical/audit-log';
import type { SqlClient } from '@nethical/postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gateSql } from './gated-sql';

/**
 * One test per MUST sentence of apps/audit-store/DURABILITY.md, each against PGlite and (when
 * reachable, mandatory in CI) PostgreSQL.
 */
const { resetAuditSchema, sampleRecord, testTargets } = auditTesting;
const targets = await testTargets();

describe.each(targets)('durability contract on %s', (name, openDb) => {
  let db: auditTesting.TestDatabase;
  const logs: AuditLog[] = [];
  beforeAll(async () => {
    db = await openDb();
  });
  afterAll(() => db.drop());
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close().catch(() => {});
    await resetAuditSchema(db.sql);
  });
  async function open(
    sql: SqlClient,
    options: Parameters<typeof createAuditLog>[0] extends infer O ? Partial<O> : never = {},
  ) {
    const log = await createAuditLog({ sql, batchMaxDelayMs: 1, ...options });
    logs.push(log);
    return log;
  }
  const count = async (sql: SqlClient): Promise<number> =>
    Number(
      (await sql.query<{ n: bigint }>('SELECT count(*)::int8 AS n FROM audit_records')).rows[0]!.n,
    );

  it('MUST acknowledge an append only after its transaction committed', async () => {
    const gated = gateSql(db.sql);
    const log = await open(gated.sql);
    gated.hold();
    let settled = false;
    const reached = gated.reachedCommit();
    const pending = log.append(sampleRecord(1)).finally(() => (settled = true));
    await reached;
    expect(settled).toBe(false);
    if (name === 'postgres') {
      const observer = await db.reopen();
      expect(await count(observer)).toBe(0);
    }
    gated.release();
    const { record } = await pending;
    expect(record.sequence).toBe(0n);
    expect(await count(db.sql)).toBe(1);
  });

  it('MUST reject (never acknowledge) an append whose COMMIT failed, and leave no gap', async () => {
    const gated = gateSql(db.sql);
    const log = await open(gated.sql);
    gated.failNextCommit();
    await expect(log.append(sampleRecord(1))).rejects.toMatchObject({
      name: 'AuditUnavailableError',
      reason: 'database',
    });
    expect(await count(db.sql)).toBe(0);
    const retried = await log.append(sampleRecord(1));
    expect(retried).toMatchObject({ duplicate: false, record: { sequence: 0n } });
  });

  it('MUST commit many appends in one transaction, closing a batch by size or by time', async () => {
    const bySize = gateSql(db.sql);
    const log = await open(bySize.sql, { batchMaxRecords: 50, batchMaxDelayMs: 60_000 });
    const startup = bySize.transactions; // migrations and partitions
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(sampleRecord(i))));
    expect(bySize.transactions - startup).toBe(2);
    await log.close();
    const byTime = gateSql(db.sql);
    const log2 = await open(byTime.sql, { batchMaxRecords: 1000, batchMaxDelayMs: 20 });
    const startup2 = byTime.transactions;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => log2.append(sampleRecord(100 + i))),
    );
    expect(byTime.transactions - startup2).toBe(1);
    expect(results.map((r) => r.record.sequence)).toEqual(
      Array.from({ length: 10 }, (_, i) => BigInt(100 + i)),
    );
  });

  it('MUST push back with AuditUnavailableError when the queue is full, and drop nothing it accepted', async () => {
    const gated = gateSql(db.sql);
    const log = await open(gated.sql, { queueMaxRecords: 10, batchMaxRecords: 4 });
    gated.hold();
    const accepted = Array.from({ length: 10 }, (_, i) => log.append(sampleRecord(i)));
    const refused = await log.append(sampleRecord(10)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuditUnavailableError);
    expect((refused as AuditUnavailableError).reason).toBe('queue_full');
    gated.release();
    const results = await Promise.all(accepted);
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(await count(db.sql)).toBe(10);
  });

  it('MUST answer AuditUnavailableError, not hang or acknowledge, when the database is down', async () => {
    const own = await db.reopen();
    const log = name === 'postgres' ? await open(own) : await open(db.sql);
    if (name === 'postgres') await own.close();
    else await db.sql.exec('ALTER TABLE audit_sequence RENAME TO audit_sequence_gone');
    await expect(log.append(sampleRecord(1))).rejects.toMatchObject({
      name: 'AuditUnavailableError',
      reason: 'database',
    });
    expect((await log.health()).ok).toBe(false);
    if (name === 'pglite')
      await db.sql.exec('ALTER TABLE audit_sequence_gone RENAME TO audit_sequence');
  });

  it('MUST commit every pending append on close(), and refuse appends after it', async () => {
    const log = await open(db.sql, { batchMaxRecords: 1000, batchMaxDelayMs: 60_000 });
    const pending = Array.from({ length: 25 }, (_, i) => log.append(sampleRecord(i)));
    await log.close();
    expect((await Promise.all(pending)).map((r) => r.record.sequence)).toEqual(
      Array.from({ length: 25 }, (_, i) => BigInt(i)),
    );
    expect(await count(db.sql)).toBe(25);
    await expect(log.append(sampleRecord(99))).rejects.toMatchObject({ reason: 'closed' });
  });

  it('MUST store a retried action id once and return the stored record as duplicate', async () => {
    const log = await open(db.sql, { batchMaxRecords: 100, batchMaxDelayMs: 20 });
    const sameBatch = await Promise.all([1, 1, 2, 1].map((i) => log.append(sampleRecord(i))));
    expect(sameBatch.map((r) => r.duplicate)).toEqual([false, true, false, true]);
    const later = await log.append(sampleRecord(1, { riskScore: 0.99 }));
    expect(later.duplicate).toBe(true);
    expect(later.record.sequence).toBe(sameBatch[0]!.record.sequence);
    expect(later.record.leaf).toEqual(sameBatch[0]!.record.leaf);
    expect(await count(db.sql)).toBe(2);
  });
});
