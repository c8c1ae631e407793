import type { SqlQueryable } from '@nethical/postgres';

/**
 * Daily range partitions of `audit_records` by `committed_at` (UTC days). Names carry the day
 * (`audit_records_p20261127`) so bounds are known without parsing catalog expressions.
 */

const DAY_MS = 86_400_000;
const NAME = /^audit_records_p(\d{4})(\d{2})(\d{2})$/;

/** One live partition: its table name and the UTC day it covers, `[fromMs, toMs)`. */
export interface AuditPartition {
  name: string;
  fromMs: number;
  toMs: number;
}

/** Start of the UTC day containing `ms`. */
export function dayStartMs(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** The partition covering the UTC day that contains `ms`. */
export function partitionFor(ms: number): AuditPartition {
  const fromMs = dayStartMs(ms);
  const day = new Date(fromMs).toISOString().slice(0, 10).replaceAll('-', '');
  return { name: `audit_records_p${day}`, fromMs, toMs: fromMs + DAY_MS };
}

/** The partition a table name stands for, or undefined when it is not one of ours. */
export function parsePartitionName(name: string): AuditPartition | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const fromMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return { name, fromMs, toMs: fromMs + DAY_MS };
}

/** SQL that creates the partition if it is missing (idempotent). */
export function createPartitionSql(p: AuditPartition): string {
  const from = new Date(p.fromMs).toISOString();
  const to = new Date(p.toMs).toISOString();
  // A new partition is given to the owner of the parent, so that the retention role (a member of
  // that owner, see roles.ts) may later detach and drop it whoever created it.
  return `CREATE TABLE IF NOT EXISTS ${p.name} PARTITION OF audit_records FOR VALUES FROM ('${from}') TO ('${to}');
DO $$ DECLARE o name; BEGIN
  SELECT pg_get_userbyid(relowner) INTO o FROM pg_class WHERE oid = 'audit_records'::regclass;
  IF o <> current_user THEN EXECUTE format('ALTER TABLE %I OWNER TO %I', '${p.name}', o); END IF;
END $$`;
}

/**
 * Create the partitions for the day of `nowMs` and `daysAhead` following days. Run at start-up
 * and whenever the writer first sees a new day, so an append never waits on a missing one.
 */
export async function ensurePartitions(
  q: SqlQueryable,
  nowMs: number,
  daysAhead: number,
): Promise<AuditPartition[]> {
  const made: AuditPartition[] = [];
  for (let i = 0; i <= daysAhead; i++) {
    const p = partitionFor(nowMs + i * DAY_MS);
    if (!(await tableExists(q, p.name))) await q.exec(createPartitionSql(p));
    made.push(p);
  }
  return made;
}

/** Whether a table of that name exists (attached or not). */
export async function tableExists(q: SqlQueryable, name: string): Promise<boolean> {
  const { rows } = await q.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
  return rows[0]?.t != null;
}

/** The partitions currently attached to `audit_records`, oldest first. */
export async function listPartitions(q: SqlQueryable): Promise<AuditPartition[]> {
  const { rows } = await q.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'audit_records'::regclass`,
  );
  return rows
    .map((r) => parsePartitionName(r.name))
    .filter((p): p is AuditPartition => p !== undefined)
    .sort((a, b) => a.fromMs - b.fromMs);
}
