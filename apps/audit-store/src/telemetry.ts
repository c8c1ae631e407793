import { storageBytesGauge, type SqlQueryable } from '@nethical/postgres';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * audit-store's instruments, read on scrape: the log head (what merkle-anchor must catch up
 * with) and `nethical_storage_bytes` of the audit tables. Back-pressure (appends refused while
 * the queue is full) is `nethical_audit_appends_refused_total{reason="queue_full"}`: counted per
 * record, so refusals inside an AppendBatch (per-record outcomes, not RPC errors) count too.
 */
export function createAuditTelemetry(
  registry: Registry,
  sql: SqlQueryable,
): { refused: Counter<'reason'> } {
  const registers = [registry];
  const refused = new Counter({
    name: 'nethical_audit_appends_refused_total',
    help: 'Appends refused, by reason: queue_full (back-pressure), closed, database, invalid.',
    labelNames: ['reason'],
    registers,
  });
  // Both gauges are collected concurrently on a scrape: they share one read of the head row.
  let pending: Promise<{ next: number; at: number } | undefined> | undefined;
  const readHead = () =>
    (pending ??= sql
      .query<{ next_sequence: bigint; last_committed_at: Date | null }>(
        'SELECT next_sequence, last_committed_at FROM audit_sequence',
      )
      .then(
        ({ rows }) =>
          rows[0] && {
            next: Number(rows[0].next_sequence),
            at: rows[0].last_committed_at?.getTime() ?? 0,
          },
      )
      .catch(() => undefined) // A failed scrape of one gauge must not fail the whole /metrics response.
      .finally(() => setTimeout(() => (pending = undefined), 250).unref()));
  new Gauge({
    name: 'nethical_audit_next_sequence',
    help: 'Sequence the next committed audit record gets (records committed so far, retention aside).',
    registers,
    async collect() {
      const head = await readHead();
      if (head) this.set(head.next);
    },
  });
  new Gauge({
    name: 'nethical_audit_last_commit_timestamp_seconds',
    help: 'When the latest audit record was committed, seconds since the Unix epoch (0: none yet).',
    registers,
    async collect() {
      const head = await readHead();
      if (head) this.set(head.at / 1000);
    },
  });
  storageBytesGauge(registry, sql, 'audit_');
  return { refused };
}
