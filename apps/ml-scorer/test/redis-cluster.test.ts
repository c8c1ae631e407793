/**
 * Issue 15: anomaly baselines on a real Redis Cluster (3 masters, ports 38300-38399, bus +10000):
 * two scorers (two regions) share each agent's baseline, whichever slot it hashes to.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  integrationMandatory,
  startRedisCluster,
  type RedisClusterHandle,
} from '@nethical/testing';
import { Cluster } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnomalyStores, type AnomalyStores } from '../src/adapters/anomaly-stores';
import { loadModel } from '../src/domain/model';
import { createScorer, type Scorer } from '../src/domain/scorer';

const modelFile = fileURLToPath(new URL('../models/risk-lr-v1.json', import.meta.url));
const prefix = `h15-test:ml:${randomUUID()}:`;
let cluster: RedisClusterHandle | undefined;
const scorers: { stores: AnomalyStores; scorer: Scorer }[] = [];

beforeAll(async () => {
  try {
    cluster = await startRedisCluster({
      masters: 3,
      replicasPerMaster: 0,
      portRange: [38300, 38399],
    });
  } catch (err) {
    if (integrationMandatory) throw err;
    return;
  }
  const seed = cluster.startupNodes[0]!;
  const model = await loadModel(modelFile);
  const clock = { now: () => Date.now() };
  for (let i = 0; i < 2; i++) {
    const stores = await createAnomalyStores(
      {
        redisUrl: `redis://${seed.host}:${seed.port}`,
        redisCluster: true,
        enabled: true,
        keyPrefix: prefix,
      },
      { registry: new Registry(), logger: pino({ level: 'silent' }), clock },
    );
    scorers.push({ stores, scorer: createScorer({ model, anomalyStore: stores.store, clock }) });
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(scorers.map((s) => s.stores.close()));
  await cluster?.stop();
});

describe('anomaly baselines on a real Redis Cluster', () => {
  it('two scorers share every agent baseline, across hash slots', async ({ skip }) => {
    if (!cluster) return skip();
    const agents = Array.from({ length: 12 }, () => `agent-${randomUUID()}`);
    for (const agentId of agents) {
      for (let i = 0; i < 4; i++) {
        const { scorer } = scorers[i % 2]!;
        const res = await scorer.score({
          agentId,
          content: 'Summarise this report',
          actionType: 'message',
        });
        expect(res.anomalyAvailable).toBe(true);
      }
    }
    const seed = cluster.nodes[0]!;
    const slots = new Set<string>();
    for (const agentId of agents)
      slots.add(await seed.cli('cluster', 'keyslot', `${prefix}anomaly:${agentId}`));
    expect(slots.size).toBeGreaterThan(3);
    // Each baseline saw all four actions, two from each scorer: no update lost.
    const direct = new Cluster([{ host: seed.host, port: seed.port }]);
    try {
      for (const agentId of agents) {
        const b = JSON.parse((await direct.get(`${prefix}anomaly:${agentId}`)) ?? '{}') as {
          count?: number;
        };
        expect(b.count).toBe(4);
      }
    } finally {
      direct.disconnect();
    }
    for (const { stores } of scorers)
      expect(stores.health()).toEqual({ ok: true, detail: 'redis in use' });
  });
});
