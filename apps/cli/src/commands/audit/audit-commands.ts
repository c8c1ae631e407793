import { readFile } from 'node:fs/promises';
import {
  applyAuditRoles,
  DEFAULT_RETENTION,
  migrateAuditLog,
  RESIDENCY_POLICIES,
  runRetention,
  verifyAuditLog,
  type ResidencyPolicy,
  type VerifyReport,
} from '@nethical/audit-log';
import { toBase64 } from '@nethical/merkle';
import { openSql } from '@nethical/postgres';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { readArchivedRecords } from '@nethical/audit-log';

/**
 * `audit` commands: `verify` (full audit), `roles` (least privilege), `retention` (tiers).
 * Register on the repo CLI with `registerAuditCommands(program)`.
 */
export function registerAuditCommands(program: Command): Command {
  const audit = program
    .command('audit')
    .description('audit trail: full verification, roles, retention');

  audit
    .command('verify')
    .description(
      're-read every record in sequence order, recompute leaves and root, compare with the anchor',
    )
    .requiredOption('--database-url <url>', 'PostgreSQL URL of the audit database')
    .option(
      '--checkpoint <file>',
      'signed checkpoint note to compare with (default: latest in the merkle tables)',
    )
    .option('--key <verifier key>', 'verifier key <name>+<keyid>+<base64> of the checkpoint signer')
    .option(
      '--merkle-database-url <url>',
      'database of the merkle-anchor tables (default: --database-url)',
    )
    .option('--merkle-table-prefix <prefix>', 'table prefix of the merkle-anchor store', 'merkle_')
    .option(
      '--archive-dir <dir>',
      'folder of archived partitions (.ndjson.zst) that precede the live rows',
    )
    .option('--batch-size <n>', 'records per query', (v) => Number.parseInt(v, 10), 5000)
    .option('--no-progress', 'no progress bar')
    .action(async (opts: VerifyCommandOptions) => {
      const report = await runVerify(opts);
      console.log(formatReport(report));
      if (!report.ok) process.exitCode = 1;
    });

  audit
    .command('roles')
    .description('create nethical_audit_writer / _retention / _owner and apply grants (PostgreSQL)')
    .requiredOption('--database-url <url>', 'PostgreSQL URL, as a superuser or the table owner')
    .action(async (opts: { databaseUrl: string }) => {
      const sql = await openSql({ databaseUrl: opts.databaseUrl, poolSize: 1 });
      try {
        await migrateAuditLog(sql);
        const statements = await applyAuditRoles(sql);
        console.log(`applied ${statements.length} statements`);
      } finally {
        await sql.close();
      }
    });
  audit
    .command('retention')
    .description(
      'archive partitions past the hot window (zstd), move tiers, purge past the archive window',
    )
    .requiredOption(
      '--database-url <url>',
      'PostgreSQL URL (as nethical_audit_retention or the owner)',
    )
    .requiredOption(
      '--archive-dir <dir>',
      'archive root; files go to <dir>/<region>/{warm,cold,archive}',
    )
    .requiredOption(
      '--region <id>',
      'region id of this audit store (folder name); default NETHICAL_REGION_ID',
      process.env.NETHICAL_REGION_ID,
    )
    .option(
      '--residency <policy>',
      `data-residency policy: ${RESIDENCY_POLICIES.join(', ')}; default NETHICAL_DATA_RESIDENCY_POLICY`,
      process.env.NETHICAL_DATA_RESIDENCY_POLICY ?? 'NONE',
    )
    .option('--hot-days <n>', 'days in PostgreSQL', Number, DEFAULT_RETENTION.hotDays)
    .option(
      '--warm-days <n>',
      'days until recompressed to cold',
      Number,
      DEFAULT_RETENTION.warmDays,
    )
    .option('--cold-days <n>', 'days until moved to archive', Number, DEFAULT_RETENTION.coldDays)
    .option('--archive-days <n>', 'days until purged', Number, DEFAULT_RETENTION.archiveDays)
    .action(
      async (opts: {
        databaseUrl: string;
        archiveDir: string;
        region: string;
        residency: ResidencyPolicy;
        hotDays: number;
        warmDays: number;
        coldDays: number;
        archiveDays: number;
      }) => {
        const sql = await openSql({ databaseUrl: opts.databaseUrl, poolSize: 1 });
        try {
          const report = await runRetention({
            sql,
            archiveDir: opts.archiveDir,
            regionId: opts.region,
            residency: opts.residency,
            policy: {
              hotDays: opts.hotDays,
              warmDays: opts.warmDays,
              coldDays: opts.coldDays,
              archiveDays: opts.archiveDays,
            },
          });
          console.log(
            `archived ${report.archived.length} partitions (${report.archived.reduce((n, m) => n + m.records, 0)} records), ` +
              `${report.movedToCold.length} to cold, ${report.movedToArchive.length} to archive, ${report.purged.length} purged`,
          );
        } finally {
          await sql.close();
        }
      },
    );
  return audit;
}

interface VerifyCommandOptions {
  databaseUrl: string;
  checkpoint?: string;
  key?: string;
  merkleDatabaseUrl?: string;
  merkleTablePrefix: string;
  archiveDir?: string;
  batchSize: number;
  progress: boolean;
}

/** Run the full audit as the `verify` command does (exported for tests and scripts). */
export async function runVerify(opts: VerifyCommandOptions): Promise<VerifyReport> {
  const sql = await openSql({
    databaseUrl: opts.databaseUrl,
    poolSize: 2,
    applicationName: 'nethical-audit-verify',
  });
  const merkleSql = opts.merkleDatabaseUrl
    ? await openSql({ databaseUrl: opts.merkleDatabaseUrl, poolSize: 1 })
    : sql;
  const bar =
    opts.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: 'verify [{bar}] {percentage}% {value}/{total} records {eta_formatted}',
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  try {
    const checkpointNote = opts.checkpoint ? await readFile(opts.checkpoint, 'utf8') : undefined;
    let started = false;
    return await verifyAuditLog({
      sql,
      batchSize: opts.batchSize,
      anchor: { sql: merkleSql, tablePrefix: opts.merkleTablePrefix },
      checkpointNote,
      verifierKey: opts.key,
      archived: opts.archiveDir ? readArchivedRecords(opts.archiveDir) : undefined,
      onProgress: (done, total) => {
        if (!bar) return;
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    });
  } finally {
    bar?.stop();
    if (merkleSql !== sql) await merkleSql.close();
    await sql.close();
  }
}

/** Human-readable report; the first line says OK or FAIL. */
export function formatReport(report: VerifyReport): string {
  const lines = [
    report.ok
      ? 'OK: audit log verified'
      : `FAIL: ${report.failure!.check} at sequence ${report.failure!.sequence} (action ${report.failure!.actionId || 'unknown'}): ${report.failure!.detail}`,
    `records verified: ${report.records}`,
    `root: ${toBase64(report.root)}`,
    `anchored leaf hashes compared: ${report.anchoredLeaves}`,
  ];
  if (report.checkpoint) {
    lines.push(
      `checkpoint: size ${report.checkpoint.size}, ${report.checkpoint.matches ? 'root matches' : 'root does NOT match'}, signature ${report.checkpoint.signatureVerified ? 'verified' : 'NOT checked (no --key)'}`,
    );
  } else {
    lines.push('checkpoint: none found (root computed but not compared)');
  }
  return lines.join('\n');
}
