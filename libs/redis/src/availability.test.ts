import { describe, expect, it } from 'vitest';
import { createStoreAvailability } from './availability';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('store availability (breaker)', () => {
  it('answers locally on error, skips Redis while down, merges back before using it again', async () => {
    let reachable = true;
    const events: string[] = [];
    const a = createStoreAvailability({
      ping: async () => {
        if (!reachable) throw new Error('ECONNREFUSED');
      },
      timeoutMs: 50,
      probeIntervalMs: 20,
      metrics: {
        up: (u) => events.push(`up:${u}`),
        fallback: (s, r) => events.push(`fb:${s}:${r}`),
        merged: (s, n) => n && events.push(`merged:${s}:${n}`),
      },
    });
    let pending = 2;
    a.onRecover('risk', async () => {
      const n = pending;
      pending = 0;
      events.push(`hook:${n}:up=${a.up}`);
      return n;
    });
    expect(
      await a.run(
        'risk',
        async () => 'remote',
        () => 'local',
      ),
    ).toBe('remote');
    reachable = false;
    expect(
      await a.run(
        'risk',
        () => Promise.reject(new Error('boom')),
        () => 'local',
      ),
    ).toBe('local');
    expect(a.up).toBe(false);
    let calledRemote = false;
    expect(
      await a.run(
        'risk',
        async () => {
          calledRemote = true;
          return 'remote';
        },
        () => 'local',
      ),
    ).toBe('local');
    expect(calledRemote).toBe(false);
    expect(a.status()).toMatchObject({ up: false, detail: expect.stringContaining('boom') });
    reachable = true;
    for (let i = 0; i < 50 && !a.up; i++) await sleep(20);
    expect(a.up).toBe(true);
    // The hook ran while the stores were still local, then once more to confirm nothing is left.
    expect(events.filter((e) => e.startsWith('hook'))).toEqual([
      'hook:2:up=false',
      'hook:0:up=false',
    ]);
    expect(events).toContain('merged:risk:2');
    expect(events.at(-1)).toBe('up:true');
    a.close();
  });

  it('a slow command is answered locally at its deadline and marks Redis down', async () => {
    const a = createStoreAvailability({
      ping: () => new Promise(() => {}),
      timeoutMs: 30,
      probeIntervalMs: 1000,
    });
    const t0 = performance.now();
    expect(
      await a.run(
        'q',
        () => new Promise<string>(() => {}),
        () => 'local',
      ),
    ).toBe('local');
    expect(performance.now() - t0).toBeLessThan(500);
    expect(a.up).toBe(false);
    a.close();
  });
});
