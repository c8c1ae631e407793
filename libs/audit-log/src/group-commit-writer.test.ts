import type { SqlQueryable } from '@nethical/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuditLog, migrateAuditLog, type AuditLog } from './audit-log';
import { appendBatchSql } from './group-commit-writer';
import { ensurePartitions } from './partitions';
import { insertRecordsSql, recordToInsertJson } from './record-row';
import {
  openPostgresTestDatabase,
  postgresAvailable,
  sampleRecord,
  testTargets,
  type TestDatabase,
} from './test-support';
import { microsToIso, microsToTimestamp } from './timestamps';

/** Texts that break naive quoting, for every text that travels in the batch's JSON. */
const HOSTILE = [
  "it's",
  'back\\slash\\',
  "\\'; COMMIT; DROP TABLE audit_records; --",
  "E'\\x41' $$dollar$$ $tag$",
  '"double" é 😀 \u2028\u2029 \t\n \u0001\u007f \\u0000',
];

/** The write as it was sent before commitWith: a parameterised statement. */
const PARAMETERISED_APPEND_SQL = `WITH inserted AS (
  ${insertRecordsSql('$1::jsonb')}
), ids AS (
  INSERT INTO audit_action_ids (action_id, sequence, committed_at)
  SELECT action_id, sequence, committed_at
    FROM jsonb_to_recordset($1::jsonb) AS x(action_id text, sequence bigint, committed_at timestamptz)
)
UPDATE audit_sequence SET next_sequence = $2, last_committed_at = $3::timestamptz`;

describe.each(await testTargets())('the inlined batch write on %s', (_name, openDb) => {
  it('stores the same rows as the parameterised form, whatever the texts and numbers hold', async () => {
    const db = await openDb();
    const committedUs = BigInt(Date.UTC(2026, 10, 27, 6)) * 1000n + 123_456n;
    await migrateAuditLog(db.sql);
    await ensurePartitions(db.sql, Number(committedUs / 1000n), 0);
    // Past 2^53, as a JS number would not hold them.
    const first = 9_007_199_254_740_993n;
    const scores = [0.1 + 0.2, 5e-324, -0, 1e21, 123_456_789.123_456_79];
    const records = HOSTILE.map((text, i) => {
      const r = sampleRecord(i, {
        actionId: `${text} ${i}`,
        agentId: text,
        tenantId: text,
        regionId: text,
        riskScore: scores[i]!,
        content: text,
      });
      if (i % 2 === 1) r.receivedAt = undefined;
      r.sequence = first + BigInt(i);
      r.committedAt = microsToTimestamp(committedUs);
      return r;
    });
    const json = JSON.stringify(records.map((r) => recordToInsertJson(r)));
    const next = first + BigInt(records.length);
    const at = microsToIso(committedUs);
    const parameterised = await rowsAfter(db.sql, (tx) =>
      tx.query(PARAMETERISED_APPEND_SQL, [json, next.toString(), at]),
    );
    const inlined = await rowsAfter(db.sql, (tx) => tx.script(appendBatchSql(json, next, at)));
    expect(parameterised).toHaveLength(2 * records.length + 1);
    expect(inlined).toEqual(parameterised);
    await db.drop();
  });
});

/** Every row of the three tables as text after `write`, which is then rolled back. */
async function rowsAfter(
  sql: TestDatabase['sql'],
  write: (tx: SqlQueryable) => Promise<unknown>,
): Promise<string[]> {
  let rows: string[] = [];
  await sql
    .transaction(async (tx) => {
      await write(tx);
      const read = await tx.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM audit_records t
         UNION ALL SELECT row_to_json(t)::text FROM audit_action_ids t
         UNION ALL SELECT row_to_json(t)::text FROM audit_sequence t`,
      );
      rows = read.rows.map((r) => r.row).sort();
      throw new Error('roll back');
    })
    .catch((err: unknown) => {
      if ((err as Error).message !== 'roll back') throw err;
    });
  return rows;
}

/**
 * What one batch costs on the wire to PostgreSQL, as the protocol messages pg sends. The writer
 * waits for each answer before it goes on, so a trip ends with a Query message (the simple
 * protocol: a script of any number of statements) or a Sync (the extended protocol of a
 * parameterised query: Parse, Bind, Describe, Execute, Sync; unnamed, so parsed and planned
 * again each time).
 */
describe.runIf(await postgresAvailable())('group-commit writer round trips on postgres', () => {
  let db: TestDatabase;
  let log: AuditLog;
  const BATCH = 10;
  beforeAll(async () => {
    db = await openPostgresTestDatabase();
    log = await createAuditLog({
      sql: db.sql,
      batchMaxRecords: BATCH,
      batchMaxDelayMs: 60_000,
      clock: { now: () => Date.UTC(2026, 10, 27, 6) },
    });
    // Warm: the pool holds a connection, and the writer has seen today's partition.
    await appendBatch(0);
  });
  afterAll(async () => {
    await log.close();
    await db.drop();
  });

  function appendBatch(first: number) {
    return Promise.all(
      Array.from({ length: BATCH }, (_, i) => log.append(sampleRecord(first + i))),
    );
  }

  /** Every message pg sends while `work` runs, one string per round trip. */
  async function trips(work: () => Promise<unknown>): Promise<string[]> {
    const messages = ['startup', 'query', 'parse', 'bind', 'describe', 'execute', 'sync', 'flush'];
    const proto = pg.Connection.prototype as unknown as Record<
      string,
      (...a: unknown[]) => unknown
    >;
    const spies = messages.map((name) => ({ name, spy: vi.spyOn(proto, name) }));
    const sent: Array<{ order: number; name: string; arg: unknown }> = [];
    try {
      await work();
      for (const { name, spy } of spies) {
        spy.mock.calls.forEach((args, i) =>
          sent.push({ order: spy.mock.invocationCallOrder[i]!, name, arg: args[0] }),
        );
      }
    } finally {
      for (const { spy } of spies) spy.mockRestore();
    }
    const out: string[] = [];
    let names: string[] = [];
    let text = '';
    for (const m of sent.sort((a, b) => a.order - b.order)) {
      names.push(m.name);
      if (m.name === 'query') text = m.arg as string;
      if (m.name === 'parse') text = (m.arg as { text: string }).text;
      if (m.name !== 'query' && m.name !== 'sync') continue;
      out.push(`${names.join('+')}: ${text.trim().split(/\s+/, 2).join(' ')}`);
      names = [];
    }
    if (names.length > 0) out.push(names.join('+'));
    return out;
  }

  it('writes a batch of new records in two round trips: the locked reads with BEGIN, the write with COMMIT', async () => {
    // Before commitWith: ['query: BEGIN; SELECT', 'parse+bind+describe+execute+sync: WITH
    // inserted', 'query: COMMIT'].
    expect(await trips(() => appendBatch(100))).toEqual([
      'query: BEGIN; SELECT',
      'query: WITH inserted',
    ]);
  });

  it('takes one round trip more when the batch holds action ids already stored (the stored records are read)', async () => {
    expect(await trips(() => appendBatch(95))).toEqual([
      'query: BEGIN; SELECT',
      'parse+bind+describe+execute+sync: SELECT sequence,',
      'query: WITH inserted',
    ]);
  });
});
