import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  auditTesting,
  createAuditLog,
  verifyAuditLog,
  type VerifyReport,
} from '@nethical/audit-log';
import { hashLeaf } from '@nethical/merkle';
import type { SqlClient } from '@nethical/postgres';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { anchorLeafHashes, type AnchoredTree } from './anchor-tree';
import { registerAuditCommands } from '../../apps/cli/src/commands/audit/audit-commands';

const { resetAuditSchema, sampleRecord, testTargets } = auditTesting;
const targets = await testTargets();
const N = 40;

async function dropMerkle(sql: SqlClient): Promise<void> {
  await sql.exec(
    'DROP TABLE IF EXISTS merkle_tree, merkle_tiles, merkle_checkpoints, merkle_migrations',
  );
}

/** Swap two rows' sequences in place (three steps: the primary key is checked per row). */
async function swapRecordSequences(sql: SqlClient, a: number, b: number): Promise<void> {
  await sql.exec(`UPDATE audit_records SET sequence = 999999 WHERE sequence = ${a};
    UPDATE audit_records SET sequence = ${a} WHERE sequence = ${b};
    UPDATE audit_records SET sequence = ${b} WHERE sequence = 999999`);
}

describe.each(targets)('full audit on %s', (name, openDb) => {
  let db: auditTesting.TestDatabase;
  let tree: AnchoredTree;
  beforeAll(async () => {
    db = await openDb();
  });
  afterAll(() => db.drop());
  afterEach(async () => {
    await resetAuditSchema(db.sql);
    await dropMerkle(db.sql);
  });

  /** N records, anchored in the merkle-anchor tables with a signed checkpoint. */
  async function fill(anchor = true): Promise<void> {
    const log = await createAuditLog({
      sql: db.sql,
      batchMaxDelayMs: 1,
      clock: { now: () => Date.UTC(2026, 10, 27, 6) },
    });
    const leaves: Uint8Array[] = [];
    for (let i = 0; i < N; i++)
      leaves.push(hashLeaf((await log.append(sampleRecord(i))).record.leaf));
    await log.close();
    tree = await anchorLeafHashes({
      sql: db.sql,
      batches: anchor ? [leaves.slice(0, 17), leaves.slice(17)] : [],
    });
    if (!anchor) {
      // Checkpoint only (no tiles): sign the real root over all leaves.
      await dropMerkle(db.sql);
      tree = await anchorLeafHashes({ sql: db.sql, batches: [leaves] });
      await db.sql.exec('DELETE FROM merkle_tiles');
    }
  }
  const verify = (): Promise<VerifyReport> =>
    verifyAuditLog({
      sql: db.sql,
      anchor: { sql: db.sql },
      verifierKey: tree.verifierKey,
      batchSize: 7,
    });

  it('passes on an untouched log: root and signed checkpoint match', async () => {
    await fill();
    const report = await verify();
    expect(report).toMatchObject({
      ok: true,
      records: N,
      anchoredLeaves: N,
      checkpoint: { size: N, matches: true, signatureVerified: true },
    });
  });

  it('names the record whose content was changed in the database', async () => {
    await fill();
    await db.sql.exec(`UPDATE audit_records SET content = 'nothing to see' WHERE sequence = 23`);
    expect((await verify()).failure).toMatchObject({
      check: 'content',
      sequence: 23n,
      actionId: 'act-23',
    });
  });

  it('names a record whose compressed body was replaced or damaged', async () => {
    await fill();
    await db.sql.exec(
      `UPDATE audit_records SET body = (SELECT body FROM audit_records WHERE sequence = 5) WHERE sequence = 6`,
    );
    expect((await verify()).failure).toMatchObject({
      check: 'content',
      sequence: 6n,
      actionId: 'act-6',
    });
    await db.sql.exec(`UPDATE audit_records SET body = '\\x01deadbeef'::bytea WHERE sequence = 3`);
    expect((await verify()).failure).toMatchObject({
      check: 'content',
      sequence: 3n,
      actionId: 'act-3',
    });
  });

  it('names a changed float or violation as well as text', async () => {
    await fill();
    await db.sql.exec(
      `UPDATE audit_records SET risk_score = risk_score + 1e-12 WHERE sequence = 4`,
    );
    expect((await verify()).failure).toMatchObject({ check: 'content', sequence: 4n });
  });

  it('names a deleted record as a gap', async () => {
    await fill();
    await db.sql.exec('DELETE FROM audit_records WHERE sequence = 11');
    expect((await verify()).failure).toMatchObject({
      check: 'gap',
      sequence: 11n,
      actionId: 'act-11',
    });
  });

  it('names the last record deleted as a truncation', async () => {
    await fill();
    await db.sql.exec(`DELETE FROM audit_records WHERE sequence = ${N - 1}`);
    expect((await verify()).failure).toMatchObject({
      check: 'truncated',
      sequence: BigInt(N - 1),
      actionId: `act-${N - 1}`,
    });
  });

  it('names two rows whose sequences were swapped as a reorder', async () => {
    await fill();
    await swapRecordSequences(db.sql, 30, 31);
    expect((await verify()).failure).toMatchObject({
      check: 'reorder',
      sequence: 30n,
      actionId: 'act-31',
    });
  });

  it('still names the swap when the action-id index was rewritten to match', async () => {
    await fill();
    await swapRecordSequences(db.sql, 30, 31);
    await db.sql.exec(
      `UPDATE audit_action_ids SET sequence = -sequence WHERE sequence IN (30, 31)`,
    );
    await db.sql.exec(
      `UPDATE audit_action_ids SET sequence = CASE action_id WHEN 'act-30' THEN 31 ELSE 30 END WHERE sequence IN (-30, -31)`,
    );
    expect((await verify()).failure).toMatchObject({
      check: 'content',
      sequence: 30n,
      actionId: 'act-31',
    });
  });

  it('detects a change through the checkpoint alone when no leaf hashes are anchored', async () => {
    await fill(false);
    expect((await verify()).ok).toBe(true);
    await db.sql.exec(`UPDATE audit_records SET reasoning = 'edited' WHERE sequence = 2`);
    expect((await verify()).failure).toMatchObject({
      check: 'checkpoint',
      sequence: BigInt(N - 1),
    });
  });

  it.runIf(name === 'postgres')(
    'runs as `audit verify` with a checkpoint file and key, exiting 1 on tampering',
    async () => {
      await fill();
      const dir = await mkdtemp(join(tmpdir(), 'nethical-verify-'));
      const file = join(dir, 'checkpoint.txt');
      await writeFile(file, tree.note);
      const out: string[] = [];
      const spy = vi
        .spyOn(console, 'log')
        .mockImplementation((line: string) => void out.push(line));
      const run = async (): Promise<void> => {
        const program = new Command().exitOverride();
        registerAuditCommands(program);
        await program.parseAsync([
          'node',
          'nethical',
          'audit',
          'verify',
          '--database-url',
          db.url!,
          '--checkpoint',
          file,
          '--key',
          tree.verifierKey,
          '--no-progress',
        ]);
      };
      try {
        await run();
        expect(out.join('\n')).toMatch(
          /^OK: audit log verified[\s\S]*root matches, signature verified/,
        );
        expect(process.exitCode ?? 0).toBe(0);
        await db.sql.exec('DELETE FROM audit_records WHERE sequence = 5');
        out.length = 0;
        await run();
        expect(out.join('\n')).toMatch(/^FAIL: gap at sequence 5 \(action act-5\)/);
        expect(process.exitCode).toBe(1);
      } finally {
        process.exitCode = 0;
        spy.mockRestore();
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
