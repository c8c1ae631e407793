import { fromJson, toJson } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { auditv1, Decision } from '@nethical/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@nethical/postgres';
import { createAuditLog, type AuditLog } from './audit-log';
import { canonicalLeaf, canonicalViolations } from './canonical-leaf';
import { AuditInvalidRecordError, AuditPageTokenError } from './errors';
import { ensurePartitions } from './partitions';
import { AUDIT_MIGRATIONS_TABLE, auditMigrations } from './schema';
import { resetAuditSchema, sampleRecord, testTargets, type TestDatabase } from './test-support';
import { microsToIso, microsToTimestamp, msToMicros } from './timestamps';

const targets = await testTargets();
const DAY = 86_400_000;

describe.each(targets)('audit log contract on %s', (_name, openDb) => {
  let db: TestDatabase;
  const logs: AuditLog[] = [];
  beforeAll(async () => {
    db = await openDb();
  });
  afterAll(() => db.drop());
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close();
    await resetAuditSchema(db.sql);
  });
  async function open(clockMs = Date.UTC(2026, 10, 27, 6, 0)): Promise<AuditLog> {
    const clock = { now: () => clockMs };
    const log = await createAuditLog({ sql: db.sql, clock, batchMaxDelayMs: 2 });
    logs.push(log);
    return log;
  }

  it('assigns gapless sequences from 0, commit time and canonical leaves; get reads back the same bytes', async () => {
    const log = await open();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => log.append(sampleRecord(i))),
    );
    expect(results.map((r) => r.record.sequence).sort((a, b) => Number(a - b))).toEqual(
      Array.from({ length: 20 }, (_, i) => BigInt(i)),
    );
    for (const { record, duplicate } of results) {
      expect(duplicate).toBe(false);
      expect(record.committedAt).toBeDefined();
      expect(record.leaf).toEqual(canonicalLeaf(record));
      const back = await log.get(record.actionId);
      expect(back && toJson(auditv1.AuditRecordSchema, back)).toEqual(
        toJson(auditv1.AuditRecordSchema, record),
      );
    }
    expect(await log.get('no-such-action')).toBeUndefined();
  });

  it('keeps floats exact and times to the microsecond through the database', async () => {
    const log = await open();
    const { record } = await log.append(sampleRecord(1, { riskScore: 0.1 + 0.2, mlScore: 1e-7 }));
    const back = (await log.get(record.actionId))!;
    expect(back.riskScore).toBe(0.1 + 0.2);
    expect(back.mlScore).toBe(1e-7);
    expect(back.violations[0]?.confidence).toBe(0.1 + 0.2);
    expect(back.receivedAt?.nanos).toBe(123_456_000);
    expect(back.leaf).toEqual(record.leaf);
  });

  it('returns the stored record for a retried action id, also within one batch', async () => {
    const log = await open();
    const first = await log.append(sampleRecord(1));
    const retry = await log.append(sampleRecord(1, { content: 'different retry body' }));
    expect(retry.duplicate).toBe(true);
    expect(retry.record.sequence).toBe(first.record.sequence);
    expect(retry.record.content).toBe(first.record.content);
    const [a, b] = await Promise.all([log.append(sampleRecord(2)), log.append(sampleRecord(2))]);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    expect(a.record.sequence).toBe(b.record.sequence);
    const page = await log.list({ pageSize: 100 });
    expect(page.records.map((r) => r.actionId)).toEqual(['act-1', 'act-2']);
  });

  it('keeps sequences gapless with two writers on one database', async () => {
    const log1 = await open();
    const other = await db.reopen();
    const log2 = await createAuditLog({
      sql: other,
      batchMaxDelayMs: 1,
      clock: { now: () => Date.UTC(2026, 10, 27, 6) },
    });
    logs.push(log2);
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? log1 : log2).append(sampleRecord(i))),
    );
    const seen: bigint[] = [];
    for await (const batch of log1.tail(0n, 25)) {
      seen.push(...batch.map((r) => r.sequence));
      if (seen.length >= 60) break;
    }
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => BigInt(i)));
  });

  it('lists by agent, decision and time range with an opaque cursor bound to its filter', async () => {
    let now = Date.UTC(2026, 10, 27, 6);
    const log = await createAuditLog({
      sql: db.sql,
      clock: { now: () => now },
      batchMaxDelayMs: 1,
    });
    logs.push(log);
    for (let i = 0; i < 30; i++) {
      now += 60_000;
      await log.append(sampleRecord(i));
    }
    const all: string[] = [];
    let token = '';
    do {
      const page = await log.list({ agentId: 'agent-1', pageSize: 4, pageToken: token });
      all.push(...page.records.map((r) => r.actionId));
      token = page.nextPageToken;
    } while (token);
    expect(all).toEqual(Array.from({ length: 10 }, (_, k) => `act-${3 * k + 1}`));
    const blocked = await log.list({ decision: Decision.BLOCK, pageSize: 100 });
    expect(blocked.records.every((r) => r.decision === Decision.BLOCK)).toBe(true);
    expect(blocked.records).toHaveLength(8);
    const start = Date.UTC(2026, 10, 27, 6);
    const window = await log.list({
      since: timestampFromMs(start + 5 * 60_000),
      until: timestampFromMs(start + 8 * 60_000),
    });
    expect(window.records.map((r) => r.actionId)).toEqual(['act-4', 'act-5', 'act-6']);
    const first = await log.list({ agentId: 'agent-1', pageSize: 2 });
    await expect(
      log.list({ agentId: 'agent-2', pageToken: first.nextPageToken }),
    ).rejects.toBeInstanceOf(AuditPageTokenError);
    await expect(log.list({ pageSize: 5000 })).rejects.toBeInstanceOf(AuditInvalidRecordError);
  });

  it('pages ALLOW and unfiltered lists in (committed_at, sequence) order along the primary key', async () => {
    let now = Date.UTC(2026, 10, 27, 23, 50);
    const log = await createAuditLog({
      sql: db.sql,
      clock: { now: () => now },
      batchMaxDelayMs: 1,
    });
    logs.push(log);
    // 40 records over midnight (two partitions), several sharing a commit time.
    for (let i = 0; i < 40; i++) {
      if (i % 3 === 0) now += 60_000;
      await log.append(sampleRecord(i));
    }
    const collect = async (decision?: Decision): Promise<string[]> => {
      const ids: string[] = [];
      let token = '';
      do {
        const page = await log.list({ decision, pageSize: 3, pageToken: token });
        ids.push(...page.records.map((r) => r.actionId));
        token = page.nextPageToken;
      } while (token);
      return ids;
    };
    const all = Array.from({ length: 40 }, (_, i) => `act-${i}`);
    expect(await collect()).toEqual(all);
    expect(await collect(Decision.ALLOW)).toEqual(all.filter((_, i) => i % 4 === 0));
    expect(await collect(Decision.WARN)).toEqual(all.filter((_, i) => i % 4 === 2));
  });

  it('reads rows written before migration 2 (plain columns) next to compressed ones', async () => {
    await migrate(db.sql, AUDIT_MIGRATIONS_TABLE, auditMigrations.slice(0, 1));
    const at = Date.UTC(2026, 10, 27, 5);
    await ensurePartitions(db.sql, at, 0);
    const old = sampleRecord(1, {
      sequence: 0n,
      committedAt: microsToTimestamp(msToMicros(at)),
      receivedAt: undefined,
    });
    await db.sql.query(
      `INSERT INTO audit_records (sequence, action_id, agent_id, tenant_id, region_id, action_type,
         content, decision, violations, risk_score, ml_score, policy_revision, model_version,
         stage_latency_ms, trace_id, received_at, committed_at, reasoning, cohort, detectors_run)
       VALUES (0, $1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13::jsonb, $14, NULL,
         $15::timestamptz, $16, $17, $18::jsonb)`,
      [
        old.actionId,
        old.agentId,
        old.tenantId,
        old.regionId,
        old.actionType,
        old.content,
        old.decision,
        JSON.stringify(canonicalViolations(old)),
        old.riskScore,
        old.mlScore ?? null,
        old.policyRevision,
        old.modelVersion,
        JSON.stringify(old.stageLatencyMs),
        old.traceId,
        microsToIso(msToMicros(at)),
        old.reasoning,
        old.cohort,
        JSON.stringify(old.detectorsRun),
      ],
    );
    await db.sql.query(
      'INSERT INTO audit_action_ids (action_id, sequence, committed_at) VALUES ($1, 0, $2::timestamptz)',
      [old.actionId, microsToIso(msToMicros(at))],
    );
    await db.sql.query(
      'UPDATE audit_sequence SET next_sequence = 1, last_committed_at = $1::timestamptz',
      [microsToIso(msToMicros(at))],
    );
    const log = await open();
    const fresh = (await log.append(sampleRecord(2))).record;
    expect(fresh.sequence).toBe(1n);
    const readOld = (await log.get(old.actionId))!;
    expect(readOld.leaf).toEqual(canonicalLeaf(old));
    expect(readOld.content).toBe(old.content);
    expect((await log.get(fresh.actionId))!.leaf).toEqual(fresh.leaf);
    const { rows } = await db.sql.query<{ body: Uint8Array | null; content: string | null }>(
      'SELECT body, content FROM audit_records ORDER BY sequence',
    );
    expect(rows.map((r) => [r.body === null, r.content === null])).toEqual([
      [true, false],
      [false, true],
    ]);
  });

  it('tails from a sequence and follows commits made after it started', async () => {
    const log = await open();
    for (let i = 0; i < 5; i++) await log.append(sampleRecord(i));
    const controller = new AbortController();
    const seen: bigint[] = [];
    const follower = (async () => {
      for await (const batch of log.tail(3n, 2, { signal: controller.signal })) {
        seen.push(...batch.map((r) => r.sequence));
        if (seen.length >= 5) controller.abort();
      }
    })();
    for (let i = 5; i < 8; i++) await log.append(sampleRecord(i));
    await follower;
    expect(seen).toEqual([3n, 4n, 5n, 6n, 7n]);
  });

  it('a tail that caught up takes this process commits from memory, equal to what is stored, and still follows another writer', async () => {
    let tailReads = 0;
    const counted = {
      ...db.sql,
      query: ((text: string, params?: unknown[], options?: { prepare?: boolean }) => {
        if (text.includes('WHERE sequence >= $1')) tailReads++;
        return db.sql.query(text, params, options);
      }) as typeof db.sql.query,
    };
    const clock = { now: () => Date.UTC(2026, 10, 27, 6) };
    const log1 = await createAuditLog({
      sql: counted,
      clock,
      batchMaxDelayMs: 1,
      tailPollIntervalMs: 50,
    });
    const other = await db.reopen();
    const log2 = await createAuditLog({ sql: other, clock, batchMaxDelayMs: 1 });
    logs.push(log1, log2);
    const controller = new AbortController();
    const seen: auditv1.AuditRecord[] = [];
    let waiting: (() => void) | undefined;
    const follower = (async () => {
      for await (const batch of log1.tail(0n, 100, { signal: controller.signal })) {
        seen.push(...batch);
        waiting?.();
      }
    })();
    const until = (n: number) =>
      new Promise<void>((resolve) => {
        waiting = () => seen.length >= n && resolve();
        waiting();
      });
    await new Promise((r) => setTimeout(r, 20));
    const readsBefore = tailReads;
    for (let i = 0; i < 6; i++) {
      await log1.append(sampleRecord(i, { requestDigest: 'ab'.repeat(32), mlScore: 0.25 }));
      await until(i + 1);
    }
    // Six commits, each handed on without reading it back (a poll may read once meanwhile).
    expect(tailReads - readsBefore).toBeLessThanOrEqual(2);
    await log2.append(sampleRecord(6));
    await until(7);
    await log1.append(sampleRecord(7));
    await until(8);
    controller.abort();
    await follower;
    expect(seen.map((r) => r.sequence)).toEqual(Array.from({ length: 8 }, (_, i) => BigInt(i)));
    for (const record of seen) {
      const stored = (await log1.get(record.actionId))!;
      expect(toJson(auditv1.AuditRecordSchema, record)).toEqual(
        toJson(auditv1.AuditRecordSchema, stored),
      );
    }
  });

  it('a lingering tail hands on the commits of its window as one batch, and without linger each commit alone', async () => {
    const log = await open();
    const follow = (lingerMs: number, from: bigint) => {
      const controller = new AbortController();
      const batches: bigint[][] = [];
      const done = (async () => {
        for await (const batch of log.tail(from, 100, { signal: controller.signal, lingerMs })) {
          batches.push(batch.map((r) => r.sequence));
        }
      })();
      return { batches, stop: () => (controller.abort(), done) };
    };
    const lingering = follow(300, 0n);
    const eager = follow(0, 0n);
    await new Promise((r) => setTimeout(r, 30));
    // Five commits 20 ms apart: inside one 300 ms window.
    for (let i = 0; i < 5; i++) {
      await log.append(sampleRecord(i));
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 400));
    const started = performance.now();
    await lingering.stop();
    await eager.stop();
    // An abort ends the linger at once, not after the window.
    expect(performance.now() - started).toBeLessThan(250);
    expect(lingering.batches).toEqual([[0n, 1n, 2n, 3n, 4n]]);
    expect(eager.batches.flat()).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(eager.batches.length).toBeGreaterThanOrEqual(4);
  });

  it('stores and recognises as duplicates ids holding quotes, backslashes and SQL (inlined as literals)', async () => {
    const log = await open();
    const ids = [
      "it's",
      'back\\slash',
      "\\'; DROP TABLE audit_records; --",
      "E'\\x41'",
      '$$dollar$$ $tag$',
      '"double" and 😀 and é',
      '\u2028line\u2029sep',
    ];
    // Every text of the batch's JSON literal (the write), not only the duplicate check's ids.
    const hostile = (id: string, i: number) =>
      sampleRecord(i, { actionId: id, agentId: id, tenantId: id, regionId: id });
    const first = await Promise.all(ids.map((id, i) => log.append(hostile(id, i))));
    expect(first.map((r) => r.duplicate)).toEqual(ids.map(() => false));
    const again = await Promise.all(ids.map((id, i) => log.append(hostile(id, i))));
    expect(again.map((r) => [r.duplicate, r.record.sequence])).toEqual(
      first.map((r) => [true, r.record.sequence]),
    );
    for (const { record } of first) {
      const back = await log.get(record.actionId);
      expect(back && toJson(auditv1.AuditRecordSchema, back)).toEqual(
        toJson(auditv1.AuditRecordSchema, record),
      );
    }
    expect((await log.list({ pageSize: 100 })).records).toHaveLength(ids.length);
  });

  it('exports NDJSON from which every leaf can be recomputed', async () => {
    const log = await open();
    const stored = await Promise.all(
      Array.from({ length: 7 }, (_, i) => log.append(sampleRecord(i))),
    );
    const lines: string[] = [];
    for await (const line of log.exportNdjson({})) lines.push(line);
    expect(lines).toHaveLength(7);
    for (const line of lines) {
      const rec = fromJson(auditv1.AuditRecordSchema, JSON.parse(line));
      const original = stored.find((s) => s.record.actionId === rec.actionId)!.record;
      expect(canonicalLeaf(rec)).toEqual(original.leaf);
    }
  });

  it('keeps a request digest: in the body, in the leaf (format v2), on read, tail and export', async () => {
    const log = await open();
    const digest = 'e3'.repeat(32);
    const withDigest = (await log.append(sampleRecord(1, { requestDigest: digest }))).record;
    const without = (await log.append(sampleRecord(2))).record;
    const leafText = new TextDecoder().decode(withDigest.leaf);
    expect(leafText).toContain('"format":"nethical.audit.leaf.v2"');
    expect(leafText).toContain(`"region_id":"eu-west-1","request_digest":"${digest}","risk_score"`);
    expect(new TextDecoder().decode(without.leaf)).toContain('"format":"nethical.audit.leaf.v1"');
    const read = (await log.get(withDigest.actionId))!;
    expect(read.requestDigest).toBe(digest);
    expect(read.leaf).toEqual(withDigest.leaf);
    expect((await log.get(without.actionId))!.requestDigest).toBe('');
    const lines: string[] = [];
    for await (const line of log.exportNdjson({})) lines.push(line);
    const exported = lines.map((l) => fromJson(auditv1.AuditRecordSchema, JSON.parse(l)));
    expect(canonicalLeaf(exported.find((r) => r.actionId === withDigest.actionId)!)).toEqual(
      withDigest.leaf,
    );
    await expect(log.append(sampleRecord(3, { requestDigest: 'not-hex' }))).rejects.toMatchObject({
      field: 'request_digest',
    });
  });

  it('rejects what the store cannot hold exactly, naming the field', async () => {
    const log = await open();
    await expect(log.append(sampleRecord(1, { content: 'a\u0000b' }))).rejects.toMatchObject({
      field: 'content',
    });
    await expect(log.append(sampleRecord(1, { riskScore: Number.NaN }))).rejects.toBeInstanceOf(
      AuditInvalidRecordError,
    );
    await expect(log.append(sampleRecord(1, { actionId: '' }))).rejects.toMatchObject({
      field: 'action_id',
    });
  });

  it('creates the partition of a new day on first append', async () => {
    const log = await open(Date.UTC(2026, 10, 27) + 40 * DAY);
    const { record } = await log.append(sampleRecord(1));
    expect(record.committedAt?.seconds).toBe(BigInt((Date.UTC(2026, 10, 27) + 40 * DAY) / 1000));
  });
});
