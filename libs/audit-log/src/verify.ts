import type { auditv1 } from '@nethical/contracts';
import {
  createCompactRange,
  equalBytes,
  hashLeaf,
  HASH_SIZE,
  openCheckpoint,
  parseCheckpoint,
  parseVerifierKey,
  type Checkpoint,
} from '@nethical/merkle';
import type { SqlQueryable } from '@nethical/postgres';
import { canonicalLeaf } from './canonical-leaf';
import { RECORD_COLUMNS, rowToRecord, type RecordRow } from './record-row';
import { timestampToMicros } from './timestamps';

/** Which check a record failed. */
export type VerifyCheck = 'gap' | 'reorder' | 'content' | 'checkpoint' | 'truncated';

/** The first problem found, naming the record. */
export interface VerifyFailure {
  check: VerifyCheck;
  sequence: bigint;
  actionId: string;
  detail: string;
}

/** Outcome of a full audit. `ok` is true only when no check failed. */
export interface VerifyReport {
  ok: boolean;
  /** Records read and hashed (archived prefix included). */
  records: number;
  /** Root over every record read (RFC 6962, leaf = canonical bytes). */
  root: Uint8Array;
  /** The checkpoint compared with, when there was one. */
  checkpoint?: { size: number; signatureVerified: boolean; matches: boolean } | undefined;
  /** Anchored leaf hashes compared with (from the merkle-anchor tables), when present. */
  anchoredLeaves: number;
  failure?: VerifyFailure | undefined;
}

/** Where the merkle-anchor keeps its tree, to compare leaf by leaf (optional). */
export interface AnchorSource {
  sql: SqlQueryable;
  /** Table prefix of the merkle-anchor store. Default `merkle_`. */
  tablePrefix?: string | undefined;
}

export interface VerifyOptions {
  /** The audit database. */
  sql: SqlQueryable;
  /** Records read per query. Default 5000. */
  batchSize?: number | undefined;
  /** Records archived out of the live log, in sequence order from 0 (see retention.ts). */
  archived?: AsyncIterable<auditv1.AuditRecord> | undefined;
  /** Leaf hashes anchored by merkle-anchor, to name the first record whose content changed. */
  anchor?: AnchorSource | undefined;
  /** A signed checkpoint note; without it the latest one in `<prefix>checkpoints` is used. */
  checkpointNote?: string | undefined;
  /** Verifier key (`<name>+<keyid>+<base64>`) of the checkpoint signer. */
  verifierKey?: string | undefined;
  /** Called after each batch with records done and the expected total. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * Full audit: re-read every record in sequence order (archived prefix first, then the live
 * rows, streamed in batches), recompute each canonical leaf from the columns (never trusting a
 * stored leaf), recompute the RFC 6962 root, and compare with the anchored leaf hashes and the
 * checkpoint. Stops at the first record that fails and names it.
 */
export async function verifyAuditLog(options: VerifyOptions): Promise<VerifyReport> {
  const { sql } = options;
  const batchSize = options.batchSize ?? 5000;
  const prefix = options.anchor?.tablePrefix ?? 'merkle_';
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`invalid table prefix: ${prefix}`);
  const counter = await sql.query<{ next_sequence: bigint }>(
    'SELECT next_sequence FROM audit_sequence',
  );
  const total = Number(counter.rows[0]?.next_sequence ?? 0n);
  const checkpoint = await loadCheckpoint(options, prefix);
  const anchorSize = options.anchor ? await anchoredSize(options.anchor.sql, prefix) : 0;
  const range = createCompactRange();
  const report: VerifyReport = { ok: true, records: 0, root: range.root(), anchoredLeaves: 0 };
  if (checkpoint)
    report.checkpoint = {
      size: checkpoint.size,
      signatureVerified: checkpoint.verified,
      matches: false,
    };
  let expected = 0n;
  let lastCommittedUs = -1n;
  let anchored: Uint8Array[] = [];
  let anchoredFrom = 0;

  const fail = (f: VerifyFailure): VerifyReport => ({
    ...report,
    ok: false,
    root: range.root(),
    failure: f,
  });

  /** Hash one record at the expected position; returns a failure or undefined. */
  const accept = async (record: auditv1.AuditRecord): Promise<VerifyFailure | undefined> => {
    const committedUs = record.committedAt ? timestampToMicros(record.committedAt) : -1n;
    if (committedUs < lastCommittedUs) {
      return {
        check: 'reorder',
        sequence: record.sequence,
        actionId: record.actionId,
        detail: 'committed_at goes backwards',
      };
    }
    lastCommittedUs = committedUs;
    const leafHash = hashLeaf(canonicalLeaf(record));
    const index = Number(record.sequence);
    if (index < anchorSize) {
      if (index >= anchoredFrom + anchored.length) {
        anchoredFrom = index;
        anchored = await readAnchoredLeaves(
          options.anchor!.sql,
          prefix,
          index,
          Math.min(anchorSize, index + batchSize),
        );
      }
      const want = anchored[index - anchoredFrom];
      report.anchoredLeaves++;
      if (want && !equalBytes(want, leafHash)) {
        return {
          check: 'content',
          sequence: record.sequence,
          actionId: record.actionId,
          detail: 'recomputed leaf hash differs from the anchored one',
        };
      }
    }
    range.append(leafHash);
    report.records++;
    expected++;
    if (checkpoint && range.size === checkpoint.size) {
      report.checkpoint!.matches = equalBytes(range.root(), checkpoint.rootHash);
      if (!report.checkpoint!.matches) {
        return {
          check: 'checkpoint',
          sequence: record.sequence,
          actionId: record.actionId,
          detail: `root at size ${checkpoint.size} differs from the checkpoint (this record closes that tree)`,
        };
      }
    }
    return undefined;
  };

  if (options.archived) {
    for await (const record of options.archived) {
      if (record.sequence !== expected) {
        return fail({
          check: record.sequence > expected ? 'gap' : 'reorder',
          sequence: expected,
          actionId: record.actionId,
          detail: `archive holds sequence ${record.sequence} where ${expected} was expected`,
        });
      }
      const f = await accept(record);
      if (f) return fail(f);
    }
  }
  for (;;) {
    const { rows } = await sql.query<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM audit_records WHERE sequence >= $1 ORDER BY sequence LIMIT $2`,
      [expected.toString(), batchSize],
    );
    if (rows.length === 0) break;
    // The action id each row claims, checked against audit_action_ids by its primary key.
    const ids = await sql.query<{ sequence: bigint; action_id: string }>(
      `SELECT sequence, action_id FROM audit_action_ids
       WHERE action_id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
      [JSON.stringify(rows.map((r) => r.action_id))],
    );
    const sequenceOf = new Map(ids.rows.map((r) => [r.action_id, BigInt(r.sequence)]));
    for (const row of rows) {
      const seq = BigInt(row.sequence);
      if (seq > expected) {
        return fail({
          check: 'gap',
          sequence: expected,
          actionId: await actionIdAt(sql, expected),
          detail: `no record with sequence ${expected} (next is ${seq}, action ${row.action_id})`,
        });
      }
      if (seq < expected) {
        return fail({
          check: 'reorder',
          sequence: seq,
          actionId: row.action_id,
          detail: `sequence ${seq} appears twice`,
        });
      }
      const owned = sequenceOf.get(row.action_id);
      if (owned !== seq) {
        return fail({
          check: 'reorder',
          sequence: seq,
          actionId: row.action_id,
          detail: `audit_action_ids gives ${row.action_id} sequence ${owned ?? 'none'}, not ${seq}`,
        });
      }
      let record: auditv1.AuditRecord;
      try {
        record = rowToRecord(row);
      } catch (err) {
        // A body that no longer decodes is changed content, named like any other change.
        return fail({
          check: 'content',
          sequence: seq,
          actionId: row.action_id,
          detail: `stored record does not decode: ${(err as Error).message}`,
        });
      }
      const f = await accept(record);
      if (f) return fail(f);
    }
    options.onProgress?.(Number(expected), total);
  }
  if (Number(expected) < total) {
    return fail({
      check: 'truncated',
      sequence: expected,
      actionId: await actionIdAt(sql, expected),
      detail: `the log ends at ${expected} but ${total} records were committed`,
    });
  }
  if (checkpoint && report.checkpoint && range.size < checkpoint.size) {
    return fail({
      check: 'checkpoint',
      sequence: expected,
      actionId: '',
      detail: `checkpoint covers ${checkpoint.size} records, the log has ${range.size}`,
    });
  }
  return { ...report, root: range.root() };
}

/** The action id of a sequence, to name a missing record (a scan: only on failure). */
async function actionIdAt(sql: SqlQueryable, sequence: bigint): Promise<string> {
  const { rows } = await sql.query<{ action_id: string }>(
    'SELECT action_id FROM audit_action_ids WHERE sequence = $1',
    [sequence.toString()],
  );
  return rows[0]?.action_id ?? '';
}

async function loadCheckpoint(
  options: VerifyOptions,
  prefix: string,
): Promise<(Checkpoint & { verified: boolean }) | undefined> {
  let note = options.checkpointNote;
  if (note === undefined && options.anchor) {
    const exists = await options.anchor.sql.query<{ t: string | null }>(
      'SELECT to_regclass($1)::text AS t',
      [`${prefix}checkpoints`],
    );
    if (exists.rows[0]?.t) {
      const { rows } = await options.anchor.sql.query<{ note: string }>(
        `SELECT note FROM ${prefix}checkpoints ORDER BY tree_size DESC LIMIT 1`,
      );
      note = rows[0]?.note;
    }
  }
  if (note === undefined) return undefined;
  if (options.verifierKey) {
    const { checkpoint } = openCheckpoint(note, [parseVerifierKey(options.verifierKey)]);
    return { ...checkpoint, verified: true };
  }
  // No key: the root is still compared, but the report says the signature was not checked.
  return { ...parseCheckpoint(note.slice(0, note.lastIndexOf('\n\n') + 1)), verified: false };
}

async function anchoredSize(sql: SqlQueryable, prefix: string): Promise<number> {
  const exists = await sql.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [
    `${prefix}tree`,
  ]);
  if (!exists.rows[0]?.t) return 0;
  const { rows } = await sql.query<{ tree_size: bigint }>(`SELECT tree_size FROM ${prefix}tree`);
  return Number(rows[0]?.tree_size ?? 0n);
}

/** Leaf hashes [from, to) from level-0 tiles of 16 hashes (merkle-anchor layout). */
async function readAnchoredLeaves(
  sql: SqlQueryable,
  prefix: string,
  from: number,
  to: number,
): Promise<Uint8Array[]> {
  const width = 16;
  const { rows } = await sql.query<{ tile_index: bigint; hashes: Uint8Array }>(
    `SELECT tile_index, hashes FROM ${prefix}tiles WHERE tile_level = 0 AND tile_index >= $1 AND tile_index <= $2 ORDER BY tile_index`,
    [Math.floor(from / width), Math.floor((to - 1) / width)],
  );
  const out: Uint8Array[] = [];
  for (const row of rows) {
    const base = Number(row.tile_index) * width;
    for (let k = 0; k * HASH_SIZE < row.hashes.length; k++) {
      const index = base + k;
      if (index >= from && index < to)
        out[index - from] = row.hashes.subarray(k * HASH_SIZE, (k + 1) * HASH_SIZE);
    }
  }
  return out;
}
