import { createAuditLog, verifyAuditLog } from '@nethical/audit-log';
import { openSql } from '@nethical/postgres';
import hdr from 'hdr-histogram-js';
import { createRandom } from './synthetic-records';

export interface MeasureResult {
  records: number;
  bytes: { records: number; actionIds: number; merkle: number; total: number; perAction: number };
  lookupByActionIdMs: { p50: number; p99: number; samples: number };
  listByAgentMs: { p50: number; p99: number; samples: number };
  verify?: { records: number; seconds: number; rate: number; ok: boolean } | undefined;
}

/**
 * Read-side figures of a loaded audit database: bytes on disk per action (tables + indexes +
 * TOAST, `pg_total_relation_size`), p50/p99 of `get(actionId)` and of a first page of
 * `list({agentId})` (50 records) through the real API, and the full-audit verification rate.
 */
export async function measureAudit(options: {
  databaseUrl: string;
  samples: number;
  verify: boolean;
  log: (line: string) => void;
}): Promise<MeasureResult> {
  const sql = await openSql({ databaseUrl: options.databaseUrl, poolSize: 2 });
  try {
    const count = Number(
      (await sql.query<{ n: bigint }>('SELECT next_sequence AS n FROM audit_sequence')).rows[0]!.n,
    );
    const size = async (pattern: string): Promise<number> =>
      Number(
        (
          await sql.query<{ b: bigint | null }>(
            `SELECT sum(pg_total_relation_size(c.oid))::int8 AS b FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname LIKE $1`,
            [pattern],
          )
        ).rows[0]!.b ?? 0n,
      );
    const records = await size('audit\\_records%');
    const actionIds = await size('audit\\_action\\_ids');
    const merkle = await size('merkle\\_%');
    const total = records + actionIds + merkle;
    const log = await createAuditLog({ sql, applyMigrations: false, partitionDaysAhead: 0 });
    const random = createRandom(7);
    // Sample existing ids and agents by sequence (random positions in the whole log).
    const picks = await sql.query<{ action_id: string; agent_id: string }>(
      `SELECT action_id, agent_id FROM audit_records WHERE sequence IN (SELECT (random() * $1)::int8 FROM generate_series(1, $2))`,
      [count - 1, options.samples],
    );
    const lookup = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 60_000_000,
      numberOfSignificantValueDigits: 3,
    });
    const list = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 60_000_000,
      numberOfSignificantValueDigits: 3,
    });
    for (const p of picks.rows) {
      let t = performance.now();
      const found = await log.get(p.action_id);
      lookup.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
      if (!found) throw new Error(`lookup of ${p.action_id} found nothing`);
      t = performance.now();
      await log.list({
        agentId: random() < 0.5 ? p.agent_id : `agent-${Math.floor(random() * 5000)}`,
        pageSize: 50,
      });
      list.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
    }
    await log.close();
    const q = (h: typeof lookup, p: number): number => h.getValueAtPercentile(p) / 1000;
    const result: MeasureResult = {
      records: count,
      bytes: { records, actionIds, merkle, total, perAction: count ? total / count : 0 },
      lookupByActionIdMs: { p50: q(lookup, 50), p99: q(lookup, 99), samples: picks.rowCount },
      listByAgentMs: { p50: q(list, 50), p99: q(list, 99), samples: picks.rowCount },
    };
    if (options.verify) {
      const t = performance.now();
      let lastLogged = 0;
      const report = await verifyAuditLog({
        sql,
        anchor: { sql },
        batchSize: 10_000,
        onProgress: (done) => {
          if (done - lastLogged >= 100_000) {
            lastLogged = done;
            options.log(`verified ${done}/${count}`);
          }
        },
      });
      const seconds = (performance.now() - t) / 1000;
      result.verify = {
        records: report.records,
        seconds,
        rate: report.records / seconds,
        ok: report.ok,
      };
    }
    return result;
  } finally {
    await sql.close();
  }
}
