import type { Migration } from '@nethical/postgres';

/** Table that records which audit migrations ran (see `migrate` in @nethical/postgres). */
export const AUDIT_MIGRATIONS_TABLE = 'audit_migrations';

/**
 * Versioned schema of the audit log. Plain SQL that runs on PostgreSQL 15+ and on PGlite.
 *
 * - `audit_records` is partitioned by `committed_at` (daily range partitions named
 *   `audit_records_pYYYYMMDD`, created ahead by `ensurePartitions`). Its primary key must
 *   contain the partition key, so uniqueness of the action id across partitions is kept by
 *   `audit_action_ids`, which also serves look-ups by action id (so `audit_records` needs no
 *   action-id index of its own).
 * - `audit_sequence` is a one-row counter: the next gapless sequence and the last commit time
 *   (commit times never go backwards in sequence order, so retention drops a prefix of the log).
 * - No `leaf` column: the leaf is recomputed from the columns (see canonical-leaf.ts), so a
 *   stored leaf can never disagree with the data it claims to hash.
 */
export const auditMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'audit records, action ids, sequence counter',
    sql: `
CREATE TABLE audit_sequence (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  next_sequence bigint NOT NULL,
  last_committed_at timestamptz
);
INSERT INTO audit_sequence (id, next_sequence) VALUES (true, 0);

CREATE TABLE audit_action_ids (
  action_id text PRIMARY KEY,
  sequence bigint NOT NULL UNIQUE,
  committed_at timestamptz NOT NULL
);

CREATE TABLE audit_records (
  sequence bigint NOT NULL CHECK (sequence >= 0),
  action_id text NOT NULL,
  agent_id text NOT NULL,
  tenant_id text NOT NULL,
  region_id text NOT NULL,
  action_type smallint NOT NULL,
  content text NOT NULL,
  decision smallint NOT NULL,
  violations jsonb NOT NULL,
  risk_score double precision NOT NULL,
  ml_score double precision,
  policy_revision text NOT NULL,
  model_version text NOT NULL,
  stage_latency_ms jsonb NOT NULL,
  trace_id text NOT NULL,
  received_at timestamptz,
  committed_at timestamptz NOT NULL,
  reasoning text NOT NULL,
  cohort text NOT NULL,
  detectors_run jsonb NOT NULL,
  PRIMARY KEY (sequence, committed_at)
) PARTITION BY RANGE (committed_at);

CREATE INDEX audit_records_agent_time ON audit_records (agent_id, committed_at, sequence);
CREATE INDEX audit_records_decision_time ON audit_records (decision, committed_at, sequence);
`,
  },
];
