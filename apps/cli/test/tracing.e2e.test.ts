/**
 * End to end: one action through the six real processes with tracing on, exported over
 * OTLP/HTTP to a real receiver (libs/testing), is one trace: the gateway's server span for
 * `POST /process_action` at the root, its client calls, the server spans of quota, policy-judge,
 * ml-scorer and audit-store, and merkle-anchor's anchoring span; the audit record holds its id.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { integrationMandatory, startOtlpReceiver, testDatabaseUrl, type OtlpReceiver, type ReceivedSpan } from '@nethical/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMesh, type RunningMesh } from '../src/mesh';

/** A throw-away database on the test PostgreSQL (the mesh starts far faster than on PGlite). */
async function scratchDatabase(): Promise<{ url?: string; drop: () => Promise<void> }> {
  const db = `nethical_tracing_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.end();
  } catch (err) {
    if (integrationMandatory) throw err;
    return { drop: async () => {} }; // embedded PGlite instead
  }
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${db}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: testDatabaseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.end();
    },
  };
}

describe('tracing across the mesh', () => {
  let receiver: OtlpReceiver;
  let mesh: RunningMesh;
  let stateDir: string;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stateDir = mkdtempSync(path.join(tmpdir(), 'nethical-tracing-'));
    const db = await scratchDatabase();
    drop = db.drop;
    mesh = await startMesh({
      env: {
        ...process.env,
        NETHICAL_LOG_LEVEL: 'warn',
        NETHICAL_STORAGE_DIR: stateDir,
        NETHICAL_ENABLE_OTEL: 'true',
        OTEL_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        NETHICAL_ENABLE_ML_BLENDING: 'true',
        NETHICAL_RPC_CLIENT: 'grpc-js',
        ...(db.url ? { NETHICAL_DATABASE_URL: db.url } : {}),
      },
      basePort: 18_500,
      stateDir,
      readyTimeoutMs: 240_000,
    });
  }, 300_000);

  afterAll(async () => {
    await mesh?.stop();
    await receiver?.close();
    await drop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }, 120_000);

  it('makes one action one trace, from POST /process_action to the Merkle anchoring', async () => {
    const res = await fetch(`${mesh.gatewayUrl}/process_action`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: `trace-${randomUUID().slice(0, 8)}`, action: 'Summarise the quarterly report' }),
    });
    expect(res.status).toBe(200);
    const action = (await res.json()) as { action_id: string };
    const record = (await (await fetch(`${mesh.gatewayUrl}/v1/audit/${action.action_id}`)).json()) as { trace_id: string };
    expect(record.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const traceId = record.trace_id;

    const has = (spans: ReceivedSpan[], service: string, name: string) =>
      spans.some((s) => s.traceId === traceId && s.service.endsWith(service) && s.name === name);
    const expected: Array<[string, string]> = [
      ['gateway', 'POST /process_action'],
      ['gateway', 'nethical.quota.v1.QuotaService/Check'],
      ['quota', 'nethical.quota.v1.QuotaService/Check'],
      ['gateway', 'nethical.judge.v1.PolicyJudgeService/Judge'],
      ['policy-judge', 'nethical.judge.v1.PolicyJudgeService/Judge'],
      ['policy-judge', 'nethical.ml.v1.MlScorerService/Score'],
      ['ml-scorer', 'nethical.ml.v1.MlScorerService/Score'],
      ['gateway', 'nethical.audit.v1.AuditStoreService/Append'],
      ['audit-store', 'nethical.audit.v1.AuditStoreService/Append'],
      ['merkle-anchor', 'merkle-anchor/anchor'],
    ];
    const spans = await receiver
      .waitFor((all) => expected.every(([service, name]) => has(all, service, name)), 60_000)
      .catch((err: Error) => {
        const mine = receiver.spans.filter((s) => s.traceId === traceId).map((s) => `${s.service}:${s.name}`);
        throw new Error(`${err.message}\nin the action's trace: ${mine.join(', ')}`);
      });

    const trace = spans.filter((s) => s.traceId === traceId);
    const root = trace.filter((s) => !s.parentSpanId);
    expect(root.map((s) => s.name)).toEqual(['POST /process_action']);
    expect(root[0]!.kind).toBe(2); // SERVER
    // Every span but the anchoring one hangs off a span of this trace: nothing detached.
    const ids = new Set(trace.map((s) => s.spanId));
    const detached = trace.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId) && s.name !== 'merkle-anchor/anchor');
    expect(detached.map((s) => `${s.service}:${s.name}`)).toEqual([]);
    // Each server span of an internal service is the child of the gateway's (or judge's) client span.
    for (const [service, name] of expected.filter(([s]) => !['gateway', 'merkle-anchor'].includes(s))) {
      const server = trace.find((s) => s.service.endsWith(service) && s.name === name && s.kind === 2);
      if (!server) continue; // the judge's ML client span is checked by name above
      const parent = trace.find((s) => s.spanId === server.parentSpanId);
      expect(parent?.kind, `${service} ${name}`).toBe(3); // CLIENT
    }
  }, 120_000);
});
