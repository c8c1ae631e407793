import { createAuditLog, verifyAuditLog } from '@nethical/audit-log';
import { Decision } from '@nethical/contracts';
import { verifyInclusion } from '@nethical/merkle';
import { openSql } from '@nethical/postgres';
import hdr from 'hdr-histogram-js';
// The merkle-anchor's own store and log, as in anchor-tree.ts (tools are not an app).
import { openSqlTreeStore } from '../../apps/merkle-anchor/src/adapters/sql-tree-store';
import { openMerkleLog } from '../../apps/merkle-anchor/src/domain/merkle-log';
import { createRandom } from './synthetic-records';

export interface MeasureResult {
  records: number;
  bytes: { records: number; actionIds: number; merkle: number; total: number; perAction: number };
  lookupByActionIdMs: { p50: number; p99: number; samples: number };
  listByAgentMs: { p50: number; p99: number; samples: number };
  /** First page (50) by decision: half ALLOW (primary key walk), half others (partial index). */
  listByDecisionMs: { p50: number; p99: number; samples: number };
  /** Inclusion proof of a random leaf at the current size (merkle-anchor log), verified. */
  inclusionProofMs: { p50: number; p99: number; samples: number };
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
    const histogram = () =>
      hdr.build({
        lowestDiscernibleValue: 1,
        highestTrackableValue: 60_000_000,
        numberOfSignificantValueDigits: 3,
      });
    const lookup = histogram();
    const list = histogram();
    const byDecision = histogram();
    const proof = histogram();
    const others = [
      Decision.ALLOW_WITH_MODIFICATION,
      Decision.WARN,
      Decision.BLOCK,
      Decision.ESCALATE,
      Decision.QUARANTINE,
    ];
    const tree = await openMerkleLog(await openSqlTreeStore({ sql }));
    const root = tree.root();
    for (const pick of picks.rows) {
      let t = performance.now();
      const found = await log.get(pick.action_id);
      lookup.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
      if (!found) throw new Error(`lookup of ${pick.action_id} found nothing`);
      t = performance.now();
      await log.list({
        agentId: random() < 0.5 ? pick.agent_id : `agent-${Math.floor(random() * 5000)}`,
        pageSize: 50,
      });
      list.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
      const decision =
        random() < 0.5 ? Decision.ALLOW : others[Math.floor(random() * others.length)]!;
      t = performance.now();
      await log.list({ decision, pageSize: 50 });
      byDecision.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
      const index = Math.floor(random() * tree.size);
      t = performance.now();
      const path = await tree.inclusionProof(index);
      proof.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
      if (!verifyInclusion(index, tree.size, path.leafHash, path.hashes, root).ok)
        throw new Error(`inclusion proof of ${index} does not verify`);
    }
    await log.close();
    const q = (h: hdr.Histogram, p: number): number => h.getValueAtPercentile(p) / 1000;
    const result: MeasureResult = {
      records: count,
      bytes: { records, actionIds, merkle, total, perAction: count ? total / count : 0 },
      lookupByActionIdMs: { p50: q(lookup, 50), p99: q(lookup, 99), samples: picks.rowCount },
      listByAgentMs: { p50: q(list, 50), p99: q(list, 99), samples: picks.rowCount },
      listByDecisionMs: {
        p50: q(byDecision, 50),
        p99: q(byDecision, 99),
        samples: picks.rowCount,
      },
      inclusionProofMs: { p50: q(proof, 50), p99: q(proof, 99), samples: picks.rowCount },
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
