import { Gauge, type Registry } from 'prom-client';
import type { SqlQueryable } from './sql-client';

/** On-disk size of one table (with all its partitions): heap + TOAST, and its indexes. */
export interface RelationSize {
  relation: string;
  tableBytes: number;
  indexBytes: number;
}

/**
 * Sizes of the tables in the current schema whose names start with `prefix` (e.g. `audit_`,
 * `merkle_`). A partitioned table counts every partition (`pg_partition_tree`), since
 * `pg_total_relation_size` of a partitioned parent is 0; a plain table counts itself. Works on PostgreSQL and PGlite.
 */
export async function relationSizes(sql: SqlQueryable, prefix: string): Promise<RelationSize[]> {
  const { rows } = await sql.query<{ relation: string; table_bytes: bigint; index_bytes: bigint }>(
    `SELECT c.relname AS relation,
            coalesce(sum(pg_table_size(coalesce(t.relid, c.oid))), 0)::int8 AS table_bytes,
            coalesce(sum(pg_indexes_size(coalesce(t.relid, c.oid))), 0)::int8 AS index_bytes
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
       LEFT JOIN LATERAL pg_partition_tree(c.oid) t ON true -- no rows for a plain table
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND starts_with(c.relname, $1)
      GROUP BY c.relname
      ORDER BY c.relname`,
    [prefix],
  );
  return rows.map((r) => ({ relation: r.relation, tableBytes: Number(r.table_bytes), indexBytes: Number(r.index_bytes) }));
}

/**
 * `nethical_storage_bytes{relation, kind}` (the seed's name): bytes of each `prefix*` table
 * (`kind="table"`) and of its indexes (`kind="index"`), measured on scrape, at most every
 * `minIntervalMs` (the catalogue query walks every partition). A failed query keeps the last values.
 */
export function storageBytesGauge(
  registry: Registry,
  sql: SqlQueryable,
  prefix: string,
  minIntervalMs = 10_000,
  now: () => number = Date.now,
): Gauge<'relation' | 'kind'> {
  let measuredAt = -Infinity;
  return new Gauge({
    name: 'nethical_storage_bytes',
    help: 'Bytes on disk of this service\'s tables (kind="table", with TOAST and partitions) and their indexes (kind="index").',
    labelNames: ['relation', 'kind'] as const,
    registers: [registry],
    async collect() {
      if (now() - measuredAt < minIntervalMs) return;
      try {
        const sizes = await relationSizes(sql, prefix);
        measuredAt = now();
        for (const s of sizes) {
          this.set({ relation: s.relation, kind: 'table' }, s.tableBytes);
          this.set({ relation: s.relation, kind: 'index' }, s.indexBytes);
        }
      } catch {
        // A failed scrape of one gauge must not fail the whole /metrics response.
      }
    },
  });
}
