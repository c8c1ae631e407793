import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuotaStore, StoreLimit } from '../src/domain/quota-store';

/** What a contract run needs: a store, a way to let time pass, and a scope unique to the run. */
export interface ContractSubject {
  store: QuotaStore;
  /** Let `ms` pass on the store's clock (manual clock in memory; a real sleep for Redis). */
  advance(ms: number): Promise<void>;
  /** Scope (region) unique to this run, so a shared server is never polluted across runs. */
  scope: string;
}

const limit = (key: string, rate: number, burst: number, shadow = false): StoreLimit => ({
  name: key,
  key,
  rate,
  burst,
  shadow,
});

/**
 * The behaviour every `QuotaStore` MUST have (see `domain/quota-store.ts`). Rates are chosen
 * so that a slow, shared machine cannot refill a bucket between two back-to-back calls
 * (0.5 units/s = one unit per 2 s), except in the refill test, which waits on purpose.
 */
export function describeQuotaStoreContract(
  label: string,
  setup: () => Promise<ContractSubject>,
  teardown: (subject: ContractSubject) => Promise<void> = async (s) => s.store.close(),
): void {
  describe(`QuotaStore contract: ${label}`, () => {
    let s: ContractSubject;
    beforeAll(async () => {
      s = await setup();
    });
    afterAll(async () => {
      if (s) await teardown(s);
    });
    const consume = (cost: number, ...limits: StoreLimit[]) =>
      s.store.consume({ scope: s.scope, cost, limits });

    it('allows exactly the burst, then denies with a retry time of about one interval', async () => {
      const slow = limit('burst', 0.5, 5);
      for (let i = 0; i < 5; i++) {
        const r = await consume(1, slow);
        expect(r.allowed).toBe(true);
        expect(r.outcomes[0]?.remaining).toBe(4 - i);
      }
      const denied = await consume(1, slow);
      expect(denied.allowed).toBe(false);
      expect(denied.outcomes[0]?.allowed).toBe(false);
      expect(denied.outcomes[0]?.remaining).toBe(0);
      expect(denied.outcomes[0]?.retryAfterMs).toBeGreaterThan(1000);
      expect(denied.outcomes[0]?.retryAfterMs).toBeLessThanOrEqual(2000);
      expect(denied.outcomes[0]?.resetAfterMs).toBeGreaterThan(9000);
      expect(denied.outcomes[0]?.resetAfterMs).toBeLessThanOrEqual(10_000);
    });

    it('reports reset-after as the time to refill what was spent', async () => {
      const r = await consume(3, limit('reset', 0.5, 10));
      expect(r.outcomes[0]?.remaining).toBe(7);
      expect(r.outcomes[0]?.resetAfterMs).toBeGreaterThan(5000);
      expect(r.outcomes[0]?.resetAfterMs).toBeLessThanOrEqual(6000);
    });

    it('refills after the retry time has passed', async () => {
      const fast = limit('refill', 2, 1);
      expect((await consume(1, fast)).allowed).toBe(true);
      const denied = await consume(1, fast);
      expect(denied.allowed).toBe(false);
      await s.advance((denied.outcomes[0]?.retryAfterMs ?? 0) + 20);
      expect((await consume(1, fast)).allowed).toBe(true);
    });

    it('charges all limits or none', async () => {
      const wide = limit('wide', 0.5, 5);
      const narrow = limit('narrow', 0.5, 2);
      expect((await consume(1, wide, narrow)).allowed).toBe(true);
      expect((await consume(1, wide, narrow)).allowed).toBe(true);
      const denied = await consume(1, wide, narrow);
      expect(denied.allowed).toBe(false);
      expect(denied.outcomes.map((o) => o.allowed)).toEqual([true, false]);
      // `wide` was not charged by the denied check: exactly 3 units are left.
      expect((await consume(3, wide)).outcomes[0]?.remaining).toBe(0);
      expect((await consume(1, wide)).allowed).toBe(false);
    });

    it('weights by cost', async () => {
      const costly = limit('cost', 0.5, 10);
      expect((await consume(4, costly)).outcomes[0]?.remaining).toBe(6);
      expect((await consume(7, costly)).allowed).toBe(false);
      const last = await consume(6, costly);
      expect(last.allowed).toBe(true);
      expect(last.outcomes[0]?.remaining).toBe(0);
    });

    it('never denies for a shadow limit and charges it only when it would allow', async () => {
      const shadow = limit('shadow', 0.5, 1, true);
      const enforced = limit('enforced', 0.5, 10);
      const first = await consume(1, shadow, enforced);
      expect(first.allowed).toBe(true);
      expect(first.outcomes[0]?.allowed).toBe(true);
      const second = await consume(1, shadow, enforced);
      expect(second.allowed).toBe(true);
      expect(second.outcomes[0]?.allowed).toBe(false);
      expect(second.outcomes[1]?.remaining).toBe(8);
    });

    it('keeps scopes and keys apart', async () => {
      const one = limit('apart', 0.5, 1);
      expect((await consume(1, one)).allowed).toBe(true);
      expect((await consume(1, one)).allowed).toBe(false);
      expect((await consume(1, limit('apart-2', 0.5, 1))).allowed).toBe(true);
      const other = await s.store.consume({ scope: `${s.scope}-other`, cost: 1, limits: [one] });
      expect(other.allowed).toBe(true);
    });

    it('counts distinct active members per scope', async () => {
      for (const member of ['a', 'b', 'c', 'a']) {
        await s.store.consume({
          scope: `${s.scope}-active`,
          cost: 1,
          limits: [],
          activeMember: member,
        });
      }
      expect(await s.store.activeAgents(`${s.scope}-active`)).toBe(3);
      expect(await s.store.activeAgents(`${s.scope}-nobody`)).toBe(0);
    });

    it('charges an action id once: a replay within the window is allowed, flagged and free', async () => {
      const l = limit('replay', 0.5, 2);
      const check = (id: string, windowMs = 60_000) =>
        s.store.consume({ scope: s.scope, cost: 1, limits: [l], replay: { key: id, windowMs } });
      const first = await check('act-1');
      expect(first).toMatchObject({ allowed: true, replay: false });
      expect(first.outcomes[0]?.remaining).toBe(1);
      const again = await check('act-1');
      expect(again).toMatchObject({ allowed: true, replay: true });
      // The bucket still has exactly one unit: the replay charged nothing.
      expect(await check('act-2')).toMatchObject({ allowed: true, replay: false });
      // Now empty: a replay of an allowed id is still answered (allowed, free) …
      expect(await check('act-1')).toMatchObject({ allowed: true, replay: true });
      // … but a new id is denied, and being denied leaves no marker: its retry is not a replay.
      expect(await check('act-3')).toMatchObject({ allowed: false, replay: false });
      expect(await check('act-3')).toMatchObject({ allowed: false, replay: false });
    });

    it('forgets an action id after its replay window', async () => {
      const l = limit('replay-window', 100, 100);
      const check = () =>
        s.store.consume({ scope: s.scope, cost: 1, limits: [l], replay: { key: 'act-w', windowMs: 200 } });
      expect((await check()).replay).toBe(false);
      expect((await check()).replay).toBe(true);
      await s.advance(400);
      expect((await check()).replay).toBe(false);
    });

    it('gives a charge back on refund, never beyond a full bucket, and nothing for a denial', async () => {
      const l = limit('refund', 0.5, 3);
      const request = { scope: s.scope, cost: 1, limits: [l] };
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await s.store.consume(request));
      const denied = await s.store.consume(request);
      expect(denied.allowed).toBe(false);
      await s.store.refund(request, denied);
      expect((await s.store.consume(request)).allowed).toBe(false);
      await s.store.refund(request, results[2]!);
      expect((await s.store.consume(request)).allowed).toBe(true);
      expect((await s.store.consume(request)).allowed).toBe(false);
      // Refunding more than was spent leaves a full bucket, not a bigger one.
      const fresh = { ...request, limits: [limit('refund-full', 0.5, 2)] };
      const once = await s.store.consume(fresh);
      await s.store.refund(fresh, once);
      await s.store.refund(fresh, once);
      expect((await s.store.consume(fresh)).allowed).toBe(true);
      expect((await s.store.consume(fresh)).allowed).toBe(true);
      expect((await s.store.consume(fresh)).allowed).toBe(false);
    });

    it('removes the replay marker on refund, so the id is charged again', async () => {
      const request = {
        scope: s.scope,
        cost: 1,
        limits: [limit('refund-replay', 0.5, 5)],
        replay: { key: 'act-refund', windowMs: 60_000 },
      };
      const first = await s.store.consume(request);
      expect(first).toMatchObject({ allowed: true, replay: false });
      await s.store.refund(request, first);
      const again = await s.store.consume(request);
      expect(again).toMatchObject({ allowed: true, replay: false });
      expect(again.outcomes[0]?.remaining).toBe(4);
    });

    it('answers ping and health', async () => {
      await s.store.ping();
      const health = await s.store.health();
      expect(Object.values(health).every((c) => c.ok)).toBe(true);
    });
  });
}
