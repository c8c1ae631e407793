import type { SqlClient } from '@nethical/postgres';
import { listPartitions } from './partitions';

/**
 * Least privilege on PostgreSQL (PGlite has a single user and no roles worth the name: there the
 * embedded database is private to one process and this step is skipped).
 *
 * - `nethical_audit_owner` (NOLOGIN) owns every audit table and partition.
 * - `nethical_audit_writer` (NOLOGIN; grant it to the audit-store login): SELECT + INSERT on
 *   records and action ids, SELECT + UPDATE on the one-row sequence counter, and nothing else —
 *   no UPDATE or DELETE of records, no DDL.
 * - `nethical_audit_retention` (NOLOGIN; grant it to the retention job's login): member of the
 *   owner, so it may DETACH and DROP partitions and purge action ids of archived days.
 *
 * Run it after migrations, as a superuser or the current table owner. Idempotent.
 */
export const AUDIT_ROLES = {
  owner: 'nethical_audit_owner',
  writer: 'nethical_audit_writer',
  retention: 'nethical_audit_retention',
} as const;

/** Create the roles and apply the grants; returns the statements that were run. */
export async function applyAuditRoles(sql: SqlClient): Promise<string[]> {
  if (sql.kind !== 'postgres') return [];
  const { owner, writer, retention } = AUDIT_ROLES;
  const partitions = (await listPartitions(sql)).map((p) => p.name);
  const tables = [
    'audit_records',
    'audit_action_ids',
    'audit_sequence',
    'audit_migrations',
    ...partitions,
  ];
  const statements = [
    ...[owner, writer, retention].map(
      (role) => `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} NOLOGIN; END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
    ),
    ...tables.map((t) => `ALTER TABLE ${t} OWNER TO ${owner}`),
    `GRANT ${owner} TO ${retention}`,
    `REVOKE ALL ON ${tables.join(', ')} FROM ${writer}`,
    `GRANT SELECT, INSERT ON audit_records, audit_action_ids TO ${writer}`,
    `GRANT SELECT, UPDATE ON audit_sequence TO ${writer}`,
    `GRANT SELECT ON audit_migrations TO ${writer}`,
  ];
  await sql.transaction(async (tx) => {
    // Role creation is cluster-wide; serialise concurrent runs (tests, several databases).
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('nethical.audit.roles'))");
    for (const s of statements) await tx.exec(s);
  });
  return statements;
}
