import { create } from '@bufbuild/protobuf';
import { TimestampSchema } from '@bufbuild/protobuf/wkt';
import {
  auditv1,
  ActionType,
  Decision,
  EvidenceSpanSchema,
  Severity,
  ViolationSchema,
} from '@nethical/contracts';
import { openSql, type SqlClient } from '@nethical/postgres';
import { integrationMandatory, testDatabaseUrl } from '@nethical/testing';

/**
 * Test helpers shared by the audit-log, audit-store and tools tests: the databases a contract
 * suite runs against, and sample records. Not exported from the package index.
 */

/** A fresh database for one suite, and how to drop it. */
export interface TestDatabase {
  sql: SqlClient;
  /** `postgres://…` of the fresh database; undefined for PGlite. */
  url: string | undefined;
  /** Open another client on the same database (PGlite: the same client). */
  reopen(): Promise<SqlClient>;
  drop(): Promise<void>;
}

export type TestTarget = [name: 'pglite' | 'postgres', open: () => Promise<TestDatabase>];

async function postgresReachable(): Promise<boolean> {
  try {
    const sql = await openSql({ databaseUrl: testDatabaseUrl, poolSize: 1 });
    try {
      await sql.query('SELECT 1');
    } finally {
      await sql.close();
    }
    return true;
  } catch (err) {
    if (integrationMandatory) throw err;
    return false;
  }
}

/** A fresh PGlite in memory. */
export async function openPgliteTestDatabase(): Promise<TestDatabase> {
  const sql = await openSql({ dataDir: 'memory://' });
  return { sql, url: undefined, reopen: async () => sql, drop: () => sql.close() };
}

/** `CREATE DATABASE nethical_test_<random>` on the test server, dropped (FORCE) afterwards. */
export async function openPostgresTestDatabase(): Promise<TestDatabase> {
  const name = `nethical_test_${Math.random().toString(36).slice(2, 10)}`;
  const admin = await openSql({ databaseUrl: testDatabaseUrl, poolSize: 1 });
  await admin.exec(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  const opened: SqlClient[] = [];
  const reopen = async (): Promise<SqlClient> => {
    const c = await openSql({ databaseUrl: url.toString(), poolSize: 4 });
    opened.push(c);
    return c;
  };
  const sql = await reopen();
  return {
    sql,
    url: url.toString(),
    reopen,
    async drop() {
      for (const c of opened) await c.close().catch(() => {});
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

/** PGlite always; PostgreSQL when reachable (mandatory when CI=true). */
export async function testTargets(): Promise<TestTarget[]> {
  const targets: TestTarget[] = [['pglite', openPgliteTestDatabase]];
  if (await postgresReachable()) targets.push(['postgres', openPostgresTestDatabase]);
  return targets;
}

/** Whether the PostgreSQL-only tests run (roles, multi-process). */
export const postgresAvailable = (): Promise<boolean> => postgresReachable();

/** A realistic record as the gateway would send it (sequence, committed_at and leaf unset). */
export function sampleRecord(
  i: number,
  overrides: Partial<auditv1.AuditRecord> = {},
): auditv1.AuditRecord {
  const decisions = [
    Decision.ALLOW,
    Decision.BLOCK,
    Decision.WARN,
    Decision.ALLOW_WITH_MODIFICATION,
  ];
  const blocked = i % 4 === 1;
  const record = create(auditv1.AuditRecordSchema, {
    actionId: `act-${i}`,
    agentId: `agent-${i % 3}`,
    tenantId: 'tenant-a',
    regionId: 'eu-west-1',
    actionType: ActionType.MESSAGE,
    content: `synthetic action ${i}: summarise the quarterly report for [REDACTED_EMAIL]`,
    decision: decisions[i % decisions.length]!,
    violations: blocked
      ? [
          create(ViolationSchema, {
            detector: 'pii',
            category: 'privacy',
            severity: Severity.HIGH,
            confidence: 0.1 + 0.2,
            evidence: [
              create(EvidenceSpanSchema, { start: 40, end: 59, excerpt: '[REDACTED_EMAIL]' }),
            ],
            reason: 'email address',
            ethicalDimensions: ['privacy'],
          }),
        ]
      : [],
    riskScore: blocked ? 0.87 : i / 1000,
    ...(i % 2 === 0 ? { mlScore: 1e-7 * i } : {}),
    policyRevision: 'rev-1',
    modelVersion: 'ml-0.1',
    stageLatencyMs: { quota: 0.25, judge: 1.5 + i / 7 },
    traceId: `trace-${i}`,
    receivedAt: create(TimestampSchema, {
      seconds: 1_790_000_000n + BigInt(i),
      nanos: 123_456_789,
    }),
    reasoning: blocked ? 'blocked: personal data' : 'no finding',
    cohort: 'default',
    detectorsRun: ['pii', 'injection'],
  });
  return Object.assign(record, overrides);
}

/**
 * Drop every audit table (also detached partitions) so the next test starts from sequence 0
 * on the same database: opening PGlite costs seconds on a shared machine, dropping costs ms.
 */
export async function resetAuditSchema(sql: SqlClient): Promise<void> {
  const { rows } = await sql.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'audit\\_%'`,
  );
  if (rows.length === 0) return;
  await sql.exec(`DROP TABLE IF EXISTS ${rows.map((r) => r.name).join(', ')} CASCADE`);
}
