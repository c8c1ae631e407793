/**
 * Anomaly baselines that survive the shared store (Redis) being down or slow.
 *
 * Policy (docs/ml.md, "Redis outages"): while Redis is up, every update goes to Redis (shared by
 * every scorer) and the resulting baseline is also kept in this scorer's bounded memory store.
 * While Redis is down, updates continue in memory from the last baseline this scorer saw (a new
 * agent starts a cold baseline), so anomaly detection keeps working per instance. When Redis
 * returns, each baseline updated during the outage is written back (this scorer's copy wins:
 * it started from the shared one and saw the outage's traffic), before Redis is used again.
 */
import type { StoreAvailability } from '@nethical/redis';
import type { AgentBaseline } from '../domain/anomaly';
import type { AnomalyStore } from '../domain/anomaly-store';
import type { MemoryAnomalyStore } from './memory-anomaly-store';

/** A fallback store with its local state's size, for health. */
export interface FallbackAnomalyStore extends AnomalyStore {
  stats(): { local: number; pendingWriteBack: number };
}

/** Wrap `shared` (Redis) with `local` (memory) behind `availability`. */
export function createFallbackAnomalyStore(
  shared: AnomalyStore,
  local: MemoryAnomalyStore,
  availability: StoreAvailability,
): FallbackAnomalyStore {
  let touched = new Set<string>();

  availability.onRecover('anomaly', async () => {
    const batch = touched;
    if (batch.size === 0) return 0;
    touched = new Set();
    const left = new Set(batch);
    try {
      for (const agentId of batch) {
        const baseline = local.get(agentId);
        if (baseline) await shared.update(agentId, () => ({ next: baseline, result: undefined }));
        left.delete(agentId);
      }
    } catch (error) {
      for (const agentId of left) touched.add(agentId);
      throw error;
    }
    return batch.size;
  });

  return {
    update(agentId, step) {
      return availability.run(
        'anomaly',
        async () => {
          let kept: AgentBaseline | undefined;
          const result = await shared.update(agentId, (prev) => {
            const out = step(prev);
            kept = out.next;
            return out;
          });
          if (kept) {
            const next = kept;
            await local.update(agentId, () => ({ next, result: undefined }));
          }
          return result;
        },
        () => {
          touched.add(agentId);
          return local.update(agentId, step);
        },
      );
    },
    async ping() {
      // Degraded, not down: the scorer answers from local baselines (health reports it).
    },
    stats: () => ({ local: local.size(), pendingWriteBack: touched.size }),
  };
}
