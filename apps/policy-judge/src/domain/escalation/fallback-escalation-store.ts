import type { StoreAvailability } from '@nethical/redis';
import { EscalationNotFoundError, EscalationStateError, StoreUnavailableError } from '../errors.js';
import { applyResolution, type Escalation, type EscalationStore } from './escalation-store.js';

/** Options of `createFallbackEscalationStore`. */
export interface FallbackEscalationOptions {
  /** Most escalations held locally during an outage; the oldest is dropped beyond it (default 100,000). */
  maxQueued?: number;
  /** Reports an escalation dropped because the local queue was full. */
  onDropped?: (e: Escalation) => void;
}

/** An EscalationStore that survives its shared store, plus its queue's size for health. */
export interface FallbackEscalationStore extends EscalationStore {
  stats(): { queued: number };
}

/** Domain errors of the shared store are answers, not outages: carry them past the breaker. */
type Outcome<T> = { ok: T } | { err: Error };
async function outcome<T>(p: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: await p };
  } catch (err) {
    if (err instanceof EscalationNotFoundError || err instanceof EscalationStateError)
      return { err };
    throw err;
  }
}
function unwrap<T>(o: Outcome<T>): T {
  if ('err' in o) throw o.err;
  return o.ok;
}

/**
 * The review queue while the shared store (Redis) is down or slow.
 *
 * Policy (docs/judge.md, "Redis outages"): an escalation created during an outage is queued in
 * this judge's memory (the action is still answered ESCALATE at once) and written to Redis when
 * it returns, before the judge uses Redis again. Operators see and may resolve the escalations
 * this judge queued; reading or resolving any other escalation answers Unavailable until Redis
 * returns (resolution must stay exactly-once). The queue is lost if the judge dies during the
 * outage (the audit record of the action still says ESCALATE).
 */
export function createFallbackEscalationStore(
  shared: EscalationStore,
  availability: StoreAvailability,
  options: FallbackEscalationOptions = {},
): FallbackEscalationStore {
  const maxQueued = options.maxQueued ?? 100_000;
  let queued = new Map<string, Escalation>();
  const unavailable = (id: string) => () => {
    throw new StoreUnavailableError(
      `escalation ${id}: the review queue (Redis) is unavailable; retry later`,
    );
  };

  const enqueue = (e: Escalation) => {
    queued.set(e.escalationId, e);
    if (queued.size > maxQueued) {
      const oldest = queued.keys().next().value as string;
      const dropped = queued.get(oldest)!;
      queued.delete(oldest);
      options.onDropped?.(dropped);
    }
  };

  availability.onRecover('escalation', async () => {
    const batch = queued;
    if (batch.size === 0) return 0;
    queued = new Map();
    const left = new Map(batch);
    try {
      for (const [id, e] of batch) {
        await shared.create(e);
        left.delete(id);
      }
    } catch (error) {
      for (const [id, e] of left) if (!queued.has(id)) queued.set(id, e);
      throw error;
    }
    return batch.size;
  });

  return {
    async create(e) {
      await availability.run(
        'escalation',
        () => shared.create(e),
        () => enqueue(e),
      );
    },
    async get(id) {
      const local = queued.get(id);
      if (local) return local;
      return availability.run('escalation', () => shared.get(id), unavailable(id));
    },
    async list(status) {
      const mine = [...queued.values()].filter((e) => status === undefined || e.status === status);
      const all = await availability.run(
        'escalation',
        () => shared.list(status),
        () => [],
      );
      const byId = new Map(all.map((e) => [e.escalationId, e]));
      for (const e of mine) byId.set(e.escalationId, e);
      return [...byId.values()].sort((a, b) => b.createdAtMs - a.createdAtMs);
    },
    async resolve(id, r) {
      const local = queued.get(id);
      if (local) {
        const next = applyResolution(local, id, r);
        queued.set(id, next);
        return next;
      }
      return unwrap(
        await availability.run('escalation', () => outcome(shared.resolve(id, r)), unavailable(id)),
      );
    },
    stats: () => ({ queued: queued.size }),
  };
}
