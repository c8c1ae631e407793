import type { SqlClient, SqlQueryable } from '@nethical/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog, migrateAuditLog } from './audit-log';
import { listPartitions } from './partitions';
import { RECORD_COLUMNS, rowToRecord, type RecordRow } from './record-row';
import { AUDIT_ROLES, applyAuditRoles } from './roles';
import {
  openPostgresTestDatabase,
  postgresAvailable,
  sampleRecord,
  type TestDatabase,
} from './test-support';

/** The same database, but every transaction runs as `role` (SET LOCAL ROLE). */
function asRole(sql: SqlClient, role: string): SqlClient {
  return {
    ...sql,
    kind: sql.kind,
    transaction: (fn) =>
      sql.transaction(async (tx) => {
        await tx.exec(`SET LOCAL ROLE ${role}`);
        return fn(tx);
      }),
  };
}

async function denied(sql: SqlClient, role: string, statement: string): Promise<unknown> {
  return sql
    .transaction(async (tx: SqlQueryable) => {
      await tx.exec(`SET LOCAL ROLE ${role}`);
      await tx.exec(statement);
    })
    .then(
      () => undefined,
      (err: unknown) => err,
    );
}

describe.runIf(await postgresAvailable())('least-privilege roles on postgres', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openPostgresTestDatabase();
    await migrateAuditLog(db.sql);
    const admin = await createAuditLog({
      sql: db.sql,
      clock: { now: () => Date.UTC(2026, 10, 27, 6) },
    });
    await admin.append(sampleRecord(1));
    await admin.close();
    await applyAuditRoles(db.sql);
  });
  afterAll(() => db.drop());

  it('lets the writer append and read, but never UPDATE, DELETE or TRUNCATE records', async () => {
    const writer = await createAuditLog({
      sql: asRole(db.sql, AUDIT_ROLES.writer),
      applyMigrations: false,
      clock: { now: () => Date.UTC(2026, 10, 27, 7) },
    });
    const { record } = await writer.append(sampleRecord(2));
    expect(record.sequence).toBe(1n);
    await writer.close();
    const [partition] = await listPartitions(db.sql);
    for (const statement of [
      "UPDATE audit_records SET content = 'rewritten'",
      'DELETE FROM audit_records',
      `UPDATE ${partition!.name} SET content = 'rewritten'`,
      `DELETE FROM ${partition!.name}`,
      'DELETE FROM audit_action_ids',
      'TRUNCATE audit_records',
      `ALTER TABLE audit_records DETACH PARTITION ${partition!.name}`,
    ]) {
      const err = await denied(db.sql, AUDIT_ROLES.writer, statement);
      expect(err, statement).toBeInstanceOf(Error);
      expect((err as Error).message, statement).toMatch(/permission denied|must be owner/);
    }
    const { rows } = await db.sql.query<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM audit_records ORDER BY sequence`,
    );
    expect(rows.map((r) => rowToRecord(r).content)).toEqual([
      sampleRecord(1).content,
      sampleRecord(2).content,
    ]);
  });

  it('lets the retention role detach a partition', async () => {
    const [partition] = await listPartitions(db.sql);
    await db.sql
      .transaction(async (tx) => {
        await tx.exec(`SET LOCAL ROLE ${AUDIT_ROLES.retention}`);
        await tx.exec(`ALTER TABLE audit_records DETACH PARTITION ${partition!.name}`);
        throw new Error('rollback');
      })
      .catch((err: Error) => expect(err.message).toBe('rollback'));
  });
});
