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
 * - Migration 2 moves the fields no query filters on into one compressed `body` column and
 *   narrows the indexes (see its comment).
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
  {
    version: 2,
    name: 'compressed record body, narrower indexes',
    // Expand only: no existing row is rewritten. Rows written before keep their columns; new
    // rows put nine of them in `body` (record-body.ts) and leave them NULL, so old partitions
    // keep their size until retention archives them. Adding a nullable column and dropping NOT
    // NULL touch only the catalog; the CHECK and the new index are built once over the rows
    // already there.
    //
    // Indexes (bytes per record at 200k, see perf/audit/RESULTS-audit.md):
    // - the decision index covers only decisions other than ALLOW (1), ~20 % of the rows: a
    //   list of ALLOW (or of everything) walks the primary key in sequence order instead,
    //   which is the (committed_at, sequence) order because commit times never go backwards
    //   in sequence order (DURABILITY.md #10). See listRecords.
    // - `audit_action_ids` loses its UNIQUE (sequence) index: sequences are unique by
    //   construction (one writer at a time under the advisory lock, counter row FOR UPDATE),
    //   the full audit checks every row against its action id, and nothing reads action ids by
    //   sequence except to name a failure. A BRIN index on committed_at (a few pages) serves
    //   the purge of action ids of purged days.
    sql: `
ALTER TABLE audit_records ADD COLUMN body bytea;
ALTER TABLE audit_records
  ALTER COLUMN content DROP NOT NULL,
  ALTER COLUMN violations DROP NOT NULL,
  ALTER COLUMN reasoning DROP NOT NULL,
  ALTER COLUMN stage_latency_ms DROP NOT NULL,
  ALTER COLUMN detectors_run DROP NOT NULL,
  ALTER COLUMN trace_id DROP NOT NULL,
  ALTER COLUMN policy_revision DROP NOT NULL,
  ALTER COLUMN model_version DROP NOT NULL,
  ALTER COLUMN cohort DROP NOT NULL;
ALTER TABLE audit_records ADD CONSTRAINT audit_records_body_or_columns CHECK (
  body IS NOT NULL OR (content IS NOT NULL AND violations IS NOT NULL AND reasoning IS NOT NULL
    AND stage_latency_ms IS NOT NULL AND detectors_run IS NOT NULL AND trace_id IS NOT NULL
    AND policy_revision IS NOT NULL AND model_version IS NOT NULL AND cohort IS NOT NULL));

DROP INDEX audit_records_decision_time;
CREATE INDEX audit_records_decision_time ON audit_records (decision, committed_at, sequence)
  WHERE decision <> 1;

ALTER TABLE audit_action_ids DROP CONSTRAINT audit_action_ids_sequence_key;
CREATE INDEX audit_action_ids_committed_at ON audit_action_ids USING brin (committed_at);
`,
  },
];
