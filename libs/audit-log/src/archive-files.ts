import { createHash } from 'node:crypto';
import { open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromJson, toJson } from '@bufbuild/protobuf';
import { compress, decompress } from '@mongodb-js/zstd';
import { auditv1 } from '@nethical/contracts';
import { canonicalLeaf } from './canonical-leaf';

/**
 * Archive files of retention: one per day partition, `audit_records_pYYYYMMDD.ndjson.zst`, with a
 * manifest `audit_records_pYYYYMMDD.manifest.json` beside it.
 *
 * The data file is a sequence of standard zstd frames (so `zstd -d` reads it whole), each frame
 * holding up to `FRAME_RECORDS` NDJSON lines; the manifest lists the frame offsets so a reader
 * never holds more than one frame in memory. A line is the protobuf-JSON of the record without
 * `leaf` (it is recomputed — see docs/audit.md), the same form `exportNdjson` writes.
 *
 * Why @mongodb-js/zstd: zstd compresses this text ~2× better than gzip at similar speed, and
 * Node 20's zlib has no zstd; 1.2.x ships prebuilt binaries inside the npm packages.
 */
export const FRAME_RECORDS = 5000;

/** The manifest of one archive file. */
export interface ArchiveManifest {
  format: 'nethical.audit.archive.v1';
  partition: string;
  regionId: string;
  residency: string;
  firstSequence: string;
  lastSequence: string;
  records: number;
  /** SHA-256 (hex) of the canonical leaves' hashes in order: a cheap whole-file fingerprint. */
  leavesSha256: string;
  /** SHA-256 (hex) of the compressed data file. */
  fileSha256: string;
  frames: Array<{ offset: number; length: number; records: number }>;
  zstdLevel: number;
}

/** Paths of a partition's archive within a tier folder. */
export function archivePaths(dir: string, partition: string): { data: string; manifest: string } {
  return {
    data: join(dir, `${partition}.ndjson.zst`),
    manifest: join(dir, `${partition}.manifest.json`),
  };
}

/**
 * Write records (in sequence order) as an archive: temp files, fsync, then rename, so a crash
 * never leaves a half file under the final name.
 */
export async function writeArchive(
  dir: string,
  meta: { partition: string; regionId: string; residency: string; zstdLevel: number },
  records: AsyncIterable<auditv1.AuditRecord[]>,
): Promise<ArchiveManifest> {
  const paths = archivePaths(dir, meta.partition);
  const tmp = `${paths.data}.tmp`;
  const file = await open(tmp, 'w');
  const fileHash = createHash('sha256');
  const leavesHash = createHash('sha256');
  const frames: ArchiveManifest['frames'] = [];
  let offset = 0;
  let count = 0;
  let first: bigint | undefined;
  let last: bigint | undefined;
  let pending: string[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const frame = await compress(Buffer.from(pending.join('')), meta.zstdLevel);
    await file.write(frame);
    fileHash.update(frame);
    frames.push({ offset, length: frame.length, records: pending.length });
    offset += frame.length;
    pending = [];
  };
  try {
    for await (const batch of records) {
      for (const r of batch) {
        first ??= r.sequence;
        last = r.sequence;
        leavesHash.update(createHash('sha256').update(canonicalLeaf(r)).digest());
        const line = toJson(auditv1.AuditRecordSchema, { ...r, leaf: new Uint8Array(0) });
        pending.push(`${JSON.stringify(line)}\n`);
        count++;
        if (pending.length >= FRAME_RECORDS) await flush();
      }
    }
    await flush();
    await file.sync();
  } finally {
    await file.close();
  }
  const manifest: ArchiveManifest = {
    format: 'nethical.audit.archive.v1',
    partition: meta.partition,
    regionId: meta.regionId,
    residency: meta.residency,
    firstSequence: (first ?? -1n).toString(),
    lastSequence: (last ?? -1n).toString(),
    records: count,
    leavesSha256: leavesHash.digest('hex'),
    fileSha256: fileHash.digest('hex'),
    frames,
    zstdLevel: meta.zstdLevel,
  };
  await writeFile(`${paths.manifest}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`, {
    flush: true,
  });
  await rename(tmp, paths.data);
  await rename(`${paths.manifest}.tmp`, paths.manifest);
  return manifest;
}

/** Read the manifest of an archive. */
export async function readManifest(path: string): Promise<ArchiveManifest> {
  return JSON.parse(await readFile(path, 'utf8')) as ArchiveManifest;
}

/** Records of one archive file, frame by frame, checking the file hash first. */
export async function* readArchive(
  dir: string,
  partition: string,
): AsyncIterable<auditv1.AuditRecord> {
  const paths = archivePaths(dir, partition);
  const manifest = await readManifest(paths.manifest);
  const data = await readFile(paths.data);
  const actual = createHash('sha256').update(data).digest('hex');
  if (actual !== manifest.fileSha256)
    throw new Error(`archive ${paths.data}: file hash does not match its manifest`);
  for (const f of manifest.frames) {
    const text = (await decompress(data.subarray(f.offset, f.offset + f.length))).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      const record = fromJson(auditv1.AuditRecordSchema, JSON.parse(line));
      record.leaf = canonicalLeaf(record);
      yield record;
    }
  }
}

/**
 * Every archived record under `regionDir` (all tiers), in sequence order: files are ordered by
 * the first sequence in their manifests.
 */
export async function* readArchivedRecords(regionDir: string): AsyncIterable<auditv1.AuditRecord> {
  const found: Array<{ dir: string; partition: string; first: bigint }> = [];
  for (const tier of ['warm', 'cold', 'archive']) {
    const dir = join(regionDir, tier);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith('.manifest.json')) continue;
      const partition = name.slice(0, -'.manifest.json'.length);
      const manifest = await readManifest(join(dir, name));
      found.push({ dir, partition, first: BigInt(manifest.firstSequence) });
    }
  }
  found.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  for (const f of found) yield* readArchive(f.dir, f.partition);
}
