import { auditTesting, createAuditLog, type AuditLog } from '@nethical/audit-log';
import { InvalidArgumentError } from '@nethical/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditService } from '../src/routes/audit-service';

/** TailRecords over a real AuditLog (PGlite, and PostgreSQL when reachable). */
const { resetAuditSchema, sampleRecord, testTargets } = auditTesting;
const targets = await testTargets();

describe.each(targets)('TailRecords on %s', (_name, openDb) => {
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

  it('refuses linger_ms above 1000, naming the field, and gathers a window of commits into one message', async () => {
    log = await createAuditLog({ sql: db.sql, batchMaxDelayMs: 1 });
    const service = auditService(log, new AbortController().signal);
    const call = new AbortController();
    const tail = (lingerMs: number) =>
      service.tailRecords!({ fromSequence: 0n, batchSize: 100, lingerMs } as never, { signal: call.signal } as never);

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
