/**
 * Issue 11: with a real redis-server (port in 38100-38199) killed by SIGKILL, the scorer keeps
 * answering through its RPC surface with anomaly detection from local baselines (no error, no
 * `anomaly_unavailable`), reports degraded-but-ready health, and writes the baselines it kept back
 * to Redis when the server returns.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, createRouterTransport } from '@connectrpc/connect';
import { ActionType, mlv1 } from '@nethical/contracts';
import { integrationMandatory, startRedisServer, type StandaloneRedis } from '@nethical/testing';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnomalyStores, type AnomalyStores } from '../src/adapters/anomaly-stores';
import { loadModel } from '../src/domain/model';
import { createScorer } from '../src/domain/scorer';
import { mlService } from '../src/routes/ml-service';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefix = `h15-test:ml:${randomUUID()}:`;
const modelFile = fileURLToPath(new URL('../models/risk-lr-v1.json', import.meta.url));

let dir = '';
let server: StandaloneRedis | undefined;
let port = 0;
let stores: AnomalyStores;
let available = false;
let client: ReturnType<typeof createClient<typeof mlv1.MlScorerService>>;

async function startPersistent(p?: number): Promise<StandaloneRedis> {
  const args = ['--appendonly', 'yes', '--appendfsync', 'always'];
  if (p !== undefined) return startRedisServer({ port: p, dir, args });
  for (let candidate = 38100 + Math.floor(Math.random() * 90); candidate < 38200; candidate++) {
    try {
      return await startRedisServer({ port: candidate, dir, args });
    } catch {
      // port taken: next
    }
  }
  throw new Error('no free port in 38100-38199');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'h15-ml-redis-'));
  try {
    server = await startPersistent();
    port = server.port;
    available = true;
  } catch (err) {
    if (integrationMandatory) throw err;
    return;
  }
  const clock = { now: () => Date.now() };
  stores = await createAnomalyStores(
    {
      redisUrl: server.url,
      enabled: true,
      keyPrefix: prefix,
      timeoutMs: 100,
      probeIntervalMs: 100,
    },
    { registry: new Registry(), logger: pino({ level: 'silent' }), clock },
  );
  const scorer = createScorer({
    model: await loadModel(modelFile),
    anomalyStore: stores.store,
    clock,
  });
  client = createClient(
    mlv1.MlScorerService,
    createRouterTransport((router) =>
      router.service(mlv1.MlScorerService, mlService(scorer, { anomalyDetection: true })),
    ),
  );
});

afterAll(async () => {
  await stores?.close();
  await server?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const score = (agentId: string) =>
  client.score({ agentId, content: 'Summarise this report', actionType: ActionType.MESSAGE });

describe('ml-scorer with Redis killed (SIGKILL) and restarted', () => {
  it('keeps anomaly detection on local baselines, then writes them back', async ({ skip }) => {
    if (!available) return skip();
    for (let i = 0; i < 5; i++) expect((await score('agent-a')).anomalyUnavailable).toBe(false);
    const redis0 = new Redis(server!.url);
    const before = JSON.parse((await redis0.get(`${prefix}anomaly:agent-a`)) ?? '{}') as {
      count?: number;
    };
    redis0.disconnect();
    expect(before.count).toBe(5);

    await server!.kill('SIGKILL');
    const errors: unknown[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      try {
        const res = await score('agent-a');
        expect(res.anomalyUnavailable).toBe(false);
      } catch (err) {
        errors.push(err);
      }
      expect(performance.now() - t0).toBeLessThan(500);
    }
    expect(errors).toEqual([]);
    expect(stores.health()).toMatchObject({ ok: true, degraded: true });

    server = await startPersistent(port);
    for (let i = 0; i < 50 && stores.health().degraded; i++) await sleep(100);
    expect(stores.health().degraded).toBeUndefined();
    const redis = new Redis(server.url);
    try {
      const after = JSON.parse((await redis.get(`${prefix}anomaly:agent-a`)) ?? '{}') as {
        count?: number;
      };
      // The outage's 20 observations continued the shared baseline and were written back.
      expect(after.count).toBe(25);
    } finally {
      redis.disconnect();
    }
  }, 60_000);
});
