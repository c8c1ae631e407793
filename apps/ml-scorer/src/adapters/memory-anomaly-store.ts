/**
 * In-process anomaly store: bounded by an LRU (lru-cache, well kept and exact about eviction
 * order) and by a time-to-live measured with the injected clock, so memory stays flat with
 * 10,000+ agents and tests control expiry. Single instance only: use the Redis store when several
 * scorer replicas must agree.
 */
import { LRUCache } from 'lru-cache';
import type { AgentBaseline } from '../domain/anomaly';
import type { AnomalyStore } from '../domain/anomaly-store';
import type { Clock } from '../domain/clock';

/** Settings of the memory store. */
export interface MemoryAnomalyStoreOptions {
  clock: Clock;
  /** Most agents kept; the least recently seen is evicted first (default 50,000). */
  maxAgents?: number;
  /** A baseline not updated for this long is forgotten (default 24 h). */
  ttlMs?: number;
}

/** An `AnomalyStore` with the memory store's size, for tests and health detail. */
export interface MemoryAnomalyStore extends AnomalyStore {
  size(): number;
  /** The agent's baseline, if kept and not expired. */
  get(agentId: string): AgentBaseline | undefined;
}

/** Creates an in-memory store. */
export function createMemoryAnomalyStore(options: MemoryAnomalyStoreOptions): MemoryAnomalyStore {
  const ttlMs = options.ttlMs ?? 24 * 3600 * 1000;
  const cache = new LRUCache<string, AgentBaseline>({ max: options.maxAgents ?? 50_000 });
  return {
    async update(agentId, step) {
      let prev = cache.get(agentId);
      // TTL by the injected clock and the baseline's own timestamp (lru-cache's TTL would read
      // performance.now(), which tests cannot move).
      if (prev !== undefined && options.clock.now() - prev.lastSeenMs > ttlMs) prev = undefined;
      // No await between read and write: atomic within this process.
      const { next, result } = step(prev);
      cache.set(agentId, next);
      return result;
    },
    async ping() {},
    size: () => cache.size,
    get(agentId) {
      const b = cache.get(agentId);
      return b !== undefined && options.clock.now() - b.lastSeenMs <= ttlMs ? b : undefined;
    },
  };
}
