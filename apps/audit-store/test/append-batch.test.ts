import { auditTesting, createAuditLog, type AuditLog } from '@nethical/audit-log';
import { Code } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditService, type RefusalReason } from '../src/routes/audit-service';
import { gateSql } from './gated-sql';

/**
 * AppendBatch over a real AuditLog (PGlite, and PostgreSQL when reachable): records refused
 * inside a batch are per-record outcomes, not RPC errors, so back-pressure is counted by
 * `onRefused` (nethical_audit_appends_refused_total) or it would be invisible.
 */
const { resetAuditSchema, sampleRecord, testTargets } = auditTesting;
const targets = await testTargets();

describe.each(targets)('AppendBatch on %s', (_name, openDb) => {
  let db: auditTesting.TestDatabase;
  let log: AuditLog | undefined;
  beforeAll(async () => {
    db = await openDb();
  });
  afterAll(async () => {
    await log?.close().catch(() => {});
    await resetAuditSchema(db.sql);
    await db.drop();
  });

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
});
