import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, startRedisServer, type RedisClusterHandle } from './redis-cluster';

describe('startRedisCluster', () => {
  let cluster: RedisClusterHandle;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts 3 masters and 3 synced replicas covering all slots', async () => {
    expect(cluster.nodes).toHaveLength(6);
    const info = await cluster.nodes[0]!.cli('cluster', 'info');
    expect(info).toContain('cluster_state:ok');
    expect(info).toContain('cluster_slots_assigned:16384');
    expect(info).toContain('cluster_size:3');
    const roles = await Promise.all(cluster.nodes.map((n) => n.cli('role')));
    expect(roles.filter((r) => r.startsWith('master'))).toHaveLength(3);
  });

  it('finds the master of a key and fails over when it is killed', async () => {
    const master = await cluster.masterForKey('{probe}:x');
    expect(await master.cli('role')).toMatch(/^master/);
    await master.kill('SIGKILL');
    const promoted = await cluster.masterForKey('{probe}:x');
    await cluster.waitForOk(20_000);
    expect(promoted.port).not.toBe(master.port);
  });
});

describe('startRedisServer', () => {
  it('starts, answers and restarts on the same port', async () => {
    const first = await startRedisServer();
    expect(await first.cli('ping')).toBe('PONG');
    await first.stop();
    await expect(first.cli('ping')).rejects.toThrow();
    const again = await startRedisServer({ port: first.port });
    expect(await again.cli('ping')).toBe('PONG');
    await again.stop();
  });
});
