import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join, relative, resolve, isAbsolute } from 'node:path';
import type { auditv1 } from '@nethical/contracts';
import type { SqlClient } from '@nethical/postgres';
import {
  archivePaths,
  readArchive,
  readManifest,
  writeArchive,
  type ArchiveManifest,
} from './archive-files';
import { systemClock, type Clock } from './clock';
import { APPEND_LOCK_SQL } from './group-commit-writer';
import { listPartitions, parsePartitionName } from './partitions';
import { RECORD_COLUMNS, rowToRecord, type RecordRow } from './record-row';

const DAY_MS = 86_400_000;

/**
 * Retention tiers by age of a day partition (its end): hot = live rows in PostgreSQL; warm =
 * zstd archive (fast level); cold = recompressed at a high level; archive = same file, kept
 * until purge. Ages are cumulative: with the defaults a day is hot for 7 days, warm until 30,
 * cold until 365, archived until 7 years, then purged.
 */
export interface RetentionPolicy {
  hotDays: number;
  warmDays: number;
  coldDays: number;
  archiveDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  hotDays: 7,
  warmDays: 30,
  coldDays: 365,
  archiveDays: 7 * 365,
};

/**
 * Data-residency policies understood by retention. Under every policy files live only in
 * `<archiveDir>/<regionId>/<tier>/` and move by rename within that folder (never copied
 * elsewhere); `EU_GDPR` additionally requires that every archived record belongs to the
 * region (a record of another region aborts the run) and purges by deletion in place.
 */
export const RESIDENCY_POLICIES = ['NONE', 'EU_GDPR', 'US_CCPA', 'IN_DPDP'] as const;
export type ResidencyPolicy = (typeof RESIDENCY_POLICIES)[number];

export interface RetentionOptions {
  sql: SqlClient;
  /** Root of the archive; this process writes only below `<archiveDir>/<regionId>`. */
  archiveDir: string;
  regionId: string;
  residency?: ResidencyPolicy | undefined;
  policy?: Partial<RetentionPolicy> | undefined;
  clock?: Clock | undefined;
  /** zstd levels of warm and cold files. Defaults 3 and 19. */
  warmLevel?: number | undefined;
  coldLevel?: number | undefined;
}

export interface RetentionReport {
  archived: ArchiveManifest[];
  movedToCold: string[];
  movedToArchive: string[];
  purged: string[];
}

/** One retention pass. Idempotent: a pass interrupted at any point is completed by the next. */
export async function runRetention(options: RetentionOptions): Promise<RetentionReport> {
  const policy = { ...DEFAULT_RETENTION, ...options.policy };
  const residency = options.residency ?? 'NONE';
  if (!RESIDENCY_POLICIES.includes(residency))
    throw new Error(`unknown residency policy ${residency}`);
  if (!/^[A-Za-z0-9_-]+$/.test(options.regionId))
    throw new Error(`invalid region id ${options.regionId}`);
  const now = (options.clock ?? systemClock).now();
  const regionDir = resolve(options.archiveDir, options.regionId);
  const tierDir = (tier: 'warm' | 'cold' | 'archive'): string =>
    inside(regionDir, join(regionDir, tier));
  for (const t of ['warm', 'cold', 'archive'] as const)
    await mkdir(tierDir(t), { recursive: true });
  const report: RetentionReport = { archived: [], movedToCold: [], movedToArchive: [], purged: [] };

  // Hot → warm: archive each old partition, then detach and drop it (empty ones: just drop).
  for (const p of await listPartitions(options.sql)) {
    if (p.toMs > now - policy.hotDays * DAY_MS) continue;
    const empty = await options.sql.query(`SELECT 1 FROM ${p.name} LIMIT 1`);
    const manifest =
      empty.rowCount === 0
        ? undefined
        : await writeArchive(
            tierDir('warm'),
            {
              partition: p.name,
              regionId: options.regionId,
              residency,
              zstdLevel: options.warmLevel ?? 3,
            },
            partitionBatches(
              options.sql,
              p.name,
              residency === 'EU_GDPR' ? options.regionId : undefined,
            ),
          );
    await options.sql.transaction(async (tx) => {
      await tx.query(APPEND_LOCK_SQL);
      await tx.exec(`ALTER TABLE audit_records DETACH PARTITION ${p.name}`);
      await tx.exec(`DROP TABLE ${p.name}`);
    });
    if (manifest) report.archived.push(manifest);
  }

  // Warm → cold (recompress), cold → archive (rename), archive → purge (delete in place).
  for (const name of await partitionsIn(tierDir('warm'))) {
    if (ageEnd(name) > now - policy.warmDays * DAY_MS) continue;
    const m = await readManifest(archivePaths(tierDir('warm'), name).manifest);
    await writeArchive(
      tierDir('cold'),
      {
        partition: name,
        regionId: m.regionId,
        residency: m.residency,
        zstdLevel: options.coldLevel ?? 19,
      },
      chunk(readArchive(tierDir('warm'), name)),
    );
    await removeArchive(tierDir('warm'), name);
    report.movedToCold.push(name);
  }
  for (const name of await partitionsIn(tierDir('cold'))) {
    if (ageEnd(name) > now - policy.coldDays * DAY_MS) continue;
    const from = archivePaths(tierDir('cold'), name);
    const to = archivePaths(tierDir('archive'), name);
    await rename(from.data, inside(regionDir, to.data));
    await rename(from.manifest, inside(regionDir, to.manifest));
    report.movedToArchive.push(name);
  }
  for (const name of await partitionsIn(tierDir('archive'))) {
    const end = ageEnd(name);
    if (end > now - policy.archiveDays * DAY_MS) continue;
    await removeArchive(tierDir('archive'), name);
    // The action ids of a purged day go too: nothing is left to be a duplicate of.
    await options.sql.query('DELETE FROM audit_action_ids WHERE committed_at < $1::timestamptz', [
      new Date(end).toISOString(),
    ]);
    report.purged.push(name);
  }
  return report;
}

async function* partitionBatches(
  sql: SqlClient,
  partition: string,
  onlyRegion: string | undefined,
): AsyncIterable<auditv1.AuditRecord[]> {
  let from = -1n;
  for (;;) {
    const { rows } = await sql.query<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM ${partition} WHERE sequence > $1 ORDER BY sequence LIMIT 5000`,
      [from.toString()],
    );
    if (rows.length === 0) return;
    const records = rows.map(rowToRecord);
    if (onlyRegion !== undefined) {
      const foreign = records.find((r) => r.regionId !== '' && r.regionId !== onlyRegion);
      if (foreign)
        throw new Error(
          `residency: record ${foreign.sequence} of region ${foreign.regionId} cannot be archived under ${onlyRegion}`,
        );
    }
    from = records[records.length - 1]!.sequence;
    yield records;
  }
}

async function* chunk(
  records: AsyncIterable<auditv1.AuditRecord>,
): AsyncIterable<auditv1.AuditRecord[]> {
  let batch: auditv1.AuditRecord[] = [];
  for await (const r of records) {
    batch.push(r);
    if (batch.length >= 5000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

async function partitionsIn(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((n) => n.endsWith('.manifest.json'))
    .map((n) => n.slice(0, -'.manifest.json'.length))
    .filter((n) => parsePartitionName(n) !== undefined)
    .sort();
}

function ageEnd(partition: string): number {
  return parsePartitionName(partition)!.toMs;
}

async function removeArchive(dir: string, partition: string): Promise<void> {
  const p = archivePaths(dir, partition);
  await rm(p.data, { force: true });
  await rm(p.manifest, { force: true });
}

/** Residency guard: refuse any path that would leave the region folder. */
function inside(regionDir: string, path: string): string {
  const rel = relative(regionDir, resolve(path));
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new Error(`residency: ${path} is outside ${regionDir}`);
  return path;
}
