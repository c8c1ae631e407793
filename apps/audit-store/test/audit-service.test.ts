import { auditTesting, createAuditLog, type AuditLog } from '@nethical/audit-log';
import { Code } from '@connectrpc/connect';
import { InvalidArgumentError } from '@nethical/platform';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditService, type RefusalReason } from '../src/routes/audit-service';
import { createHash } from 'node:crypto';
import { gateSql } from './gated-sql';

/**
 * The audit service over a real AuditLog (PGlite, and PostgreSQL when reachable).
 *
 * AppendBatch: records refused
 * inside a batch are per-record outcomes, not RPC errors, so back-pressure is counted by
 * `onRefused` (nethical_audit_appends_refused_total) or it would be invisible.
 */
const { resetAuditSchema, sampleRecord, testTargets } = auditTesting;
const targets = await testTargets();

describe.each(targets)('audit service on %s', (_name, openDb) => {
  let db: auditTesting.TestDatabase;
  let log: AuditLog | undefined;
  beforeAll(async () => {
    db = await openDb();
  });
  afterEach(async () => {
    await log?.close().catch(() => {});
    log = undefined;
    await resetAuditSchema(db.sql);
  });
  afterAll(() => db.drop());

  it('counts records refused for a full queue inside a batch, and answers each record on its own', async () => {
    const gated = gateSql(db.sql);
    log = await createAuditLog({
      sql: gated.sql,
      batchMaxDelayMs: 1,
      queueMaxRecords: 2,
      batchMaxRecords: 1,
    });
    const refused: RefusalReason[] = [];
    const service = auditService(log, new AbortController().signal, (r) => refused.push(r));
    gated.hold();
    const reached = gated.reachedCommit();
    const pending = service.appendBatch!(
      { records: [1, 2, 3, 4].map((i) => sampleRecord(i)) } as never,
      {} as never,
    );
    await reached;
    gated.release();
    const res = await pending;
    const codes = (res.outcomes ?? []).map((o) => o.errorCode ?? 0);
    expect(codes.filter((c) => c === 0)).toHaveLength(2);
    expect(codes.filter((c) => c === Code.Unavailable)).toHaveLength(2);
    expect(refused).toEqual(['queue_full', 'queue_full']);
  });

  it('answers new records with receipts when asked (sequence, commit time, RFC 6962 leaf hash) and duplicates with the stored record', async () => {
    log = await createAuditLog({ sql: db.sql, batchMaxDelayMs: 1 });
    const service = auditService(log, new AbortController().signal);
    const leafHash = (leaf: Uint8Array) =>
      createHash('sha256')
        .update(Buffer.from([0]))
        .update(leaf)
        .digest();
    const batch = await service.appendBatch!(
      { records: [sampleRecord(1), sampleRecord(2)], receiptsOnly: true } as never,
      {} as never,
    );
    const single = await service.append!(
      { record: sampleRecord(3), receiptOnly: true } as never,
      {} as never,
    );
    const receipts = [...batch.outcomes!.map((o) => o.receipt), single.receipt];
    for (const [i, receipt] of receipts.entries()) {
      const stored = await log.get(sampleRecord(i + 1).actionId);
      expect(receipt).toMatchObject({
        sequence: stored!.sequence,
        committedAt: stored!.committedAt,
      });
      expect(Buffer.from(receipt!.leafHash!)).toEqual(leafHash(stored!.leaf));
    }
    expect(batch.outcomes!.every((o) => o.record === undefined && !o.duplicate)).toBe(true);
    expect(single.record).toBeUndefined();
    // A retried id: the stored record (what the caller sent may differ from it), not a receipt.
    const again = await service.appendBatch!(
      { records: [sampleRecord(1)], receiptsOnly: true } as never,
      {} as never,
    );
    expect(again.outcomes![0]).toMatchObject({
      duplicate: true,
      record: { actionId: sampleRecord(1).actionId },
    });
    expect(again.outcomes![0]!.receipt).toBeUndefined();
    // Without the flag the record is echoed as before (callers that predate receipts).
    const plain = await service.appendBatch!({ records: [sampleRecord(4)] } as never, {} as never);
    expect(plain.outcomes![0]!.record?.actionId).toBe(sampleRecord(4).actionId);
    expect(plain.outcomes![0]!.receipt).toBeUndefined();
  });

  it('TailRecords refuses linger_ms above 1000, naming the field, and gathers a window of commits into one message', async () => {
    log = await createAuditLog({ sql: db.sql, batchMaxDelayMs: 1 });
    const service = auditService(log, new AbortController().signal);
    const call = new AbortController();
    const tail = (lingerMs: number) =>
      service.tailRecords!(
        { fromSequence: 0n, batchSize: 100, lingerMs } as never,
        { signal: call.signal } as never,
      );

    const refused = (async () => {
      for await (const _ of tail(1001)) return;
    })();
    await expect(refused).rejects.toThrow(InvalidArgumentError);
    await expect(refused).rejects.toMatchObject({ field: 'linger_ms' });

    const messages: number[][] = [];
    const reading = (async () => {
      for await (const msg of tail(250)) messages.push(msg.records!.map((r) => Number(r.sequence)));
    })();
    await new Promise((r) => setTimeout(r, 30));
    for (let i = 0; i < 4; i++) {
      await log.append(sampleRecord(i));
      await new Promise((r) => setTimeout(r, 15));
    }
    await new Promise((r) => setTimeout(r, 350));
    call.abort();
    await reading;
    expect(messages).toEqual([[0, 1, 2, 3]]);
  });
});
