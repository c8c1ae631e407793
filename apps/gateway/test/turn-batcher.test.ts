import { Code, ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { createTurnBatcher, type BatchOutcome } from '../src/adapters/turn-batcher';

/** A batcher over plain functions that record what was sent: the mechanism alone. */
function harness(
  options: {
    maxItems?: number;
    maxBytes?: number;
    many?: (reqs: number[]) => BatchOutcome<number>[];
    maxInFlight?: number;
    /** Answers wait for release() (a slow server). */
    gated?: boolean;
  } = {},
) {
  const sent: number[][] = [];
  let open: Array<() => void> = [];
  const gate = () => (options.gated ? new Promise<void>((r) => open.push(r)) : Promise.resolve());
  const release = () => {
    const now = open;
    open = [];
    for (const r of now) r();
  };
  const call = createTurnBatcher<number, number>({
    maxItems: options.maxItems ?? 256,
    maxBytes: options.maxBytes,
    maxInFlight: options.maxInFlight,
    weight: (n) => n,
    one: async (n) => {
      sent.push([n]);
      await gate();
      return n * 10;
    },
    many: async (reqs) => {
      sent.push(reqs);
      await gate();
      return options.many ? options.many(reqs) : reqs.map((n) => ({ ok: n * 10 }));
    },
  });
  return { call, sent, release };
}
const turn = () => new Promise((r) => setImmediate(r));

describe('turn batcher', () => {
  it('sends the calls of one turn as one batch and answers each caller', async () => {
    const { call, sent } = harness();
    expect(await Promise.all([1, 2, 3].map((n) => call(n)))).toEqual([10, 20, 30]);
    expect(sent).toEqual([[1, 2, 3]]);
  });

  it('never lets a batch pass maxBytes: what waits goes first, an oversized item goes alone', async () => {
    const { call, sent } = harness({ maxBytes: 100 });
    await Promise.all([40, 40, 40, 500, 10].map((n) => call(n)));
    expect(sent).toEqual([[40, 40], [40], [500], [10]]);
    for (const batch of sent.filter((b) => b.length > 1))
      expect(batch.reduce((a, b) => a + b)).toBeLessThanOrEqual(100);
  });

  it('with maxInFlight, holds what arrives while a batch is out and sends it as one batch when it returns', async () => {
    const { call, sent, release } = harness({ maxInFlight: 1, gated: true });
    const first = call(1);
    await turn();
    expect(sent).toEqual([[1]]);
    // Three turns while the first batch is out: nothing more is sent.
    const later = [call(2)];
    await turn();
    later.push(call(3));
    await turn();
    later.push(call(4));
    await turn();
    expect(sent).toEqual([[1]]);
    release();
    expect(await first).toBe(10);
    await turn();
    expect(sent).toEqual([[1], [2, 3, 4]]);
    release();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('with maxInFlight, still sends a full batch at once, and without it sends every turn', async () => {
    const bounded = harness({ maxInFlight: 1, maxItems: 2, gated: true });
    const calls = [1, 2, 3, 4].map((n) => bounded.call(n));
    await turn();
    expect(bounded.sent).toEqual([
      [1, 2],
      [3, 4],
    ]);
    bounded.release();
    expect(await Promise.all(calls)).toEqual([10, 20, 30, 40]);
    const free = harness({ gated: true });
    const a = free.call(1);
    await turn();
    const b = free.call(2);
    await turn();
    expect(free.sent).toEqual([[1], [2]]);
    free.release();
    expect(await Promise.all([a, b])).toEqual([10, 20]);
  });

  it('splits at maxItems', async () => {
    const { call, sent } = harness({ maxItems: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => call(n)));
    expect(sent).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('gives each caller its own error, and falls back to single calls against a server without the batch', async () => {
    const mixed = harness({
      many: (reqs) =>
        reqs.map((n) =>
          n === 2 ? { error: new ConnectError('bad', Code.InvalidArgument) } : { ok: n },
        ),
    });
    const out = await Promise.allSettled([1, 2, 3].map((n) => mixed.call(n)));
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const old = harness({
      many: () => {
        throw new ConnectError('no such method', Code.Unimplemented);
      },
    });
    expect(await Promise.all([1, 2].map((n) => old.call(n)))).toEqual([10, 20]);
    expect(await Promise.all([3, 4].map((n) => old.call(n)))).toEqual([30, 40]);
    expect(old.sent).toEqual([[1, 2], [1], [2], [3], [4]]);
  });

  it('stops waiting at the caller’s own deadline', async () => {
    const slow = createTurnBatcher<number, number>({
      maxItems: 10,
      one: () => new Promise(() => {}),
      many: () => new Promise(() => {}),
    });
    const err = await slow(1, { timeoutMs: 20 }).catch((e: unknown) => e);
    expect((err as ConnectError).code).toBe(Code.DeadlineExceeded);
  });
});
