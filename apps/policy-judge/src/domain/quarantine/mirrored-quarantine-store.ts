import type { StoreAvailability } from '@nethical/redis';
import {
  isActive,
  type QuarantineEntry,
  type QuarantineStore,
  type SharedQuarantineStore,
} from './quarantine-store.js';

/** Options of `createMirroredQuarantineStore`. */
export interface MirroredQuarantineOptions {
  /** Poll the shared store's change counter this often, ms (default 250). */
  syncIntervalMs?: number;
  /** Wall clock (the judge's injected clock). */
  clock: () => number;
  /** Reports a failed background sync (logged; the next tick retries). */
  onSyncError?: (error: unknown) => void;
}

/** A QuarantineStore that survives its shared store, plus the mirror's size for health. */
export interface MirroredQuarantineStore extends QuarantineStore {
  /** Entries in the local mirror and writes waiting for the shared store. */
  stats(): { mirrored: number; pending: number };
  /** Stop the background sync. */
  close(): void;
}

type PendingWrite = { op: 'put'; entry: QuarantineEntry } | { op: 'release'; agentId: string };

/**
 * Quarantine state that keeps being enforced while the shared store (Redis) is down or slow.
 *
 * Policy (docs/judge.md, "Redis outages"):
 * - While Redis is up, reads and writes go to Redis (so a quarantine set by any judge, in any
 *   region, is enforced by the next read everywhere), and each judge keeps a local mirror of
 *   every active quarantine, refreshed when the shared change counter moves (polled every
 *   `syncIntervalMs`, default 250 ms) and on every read and write it makes itself.
 * - While Redis is down, reads answer from the mirror: every quarantine known before the outage
 *   stays enforced until it expires; quarantines set during the outage (automatic or by an
 *   operator) apply locally at once and are written to Redis when it returns, as are releases
 *   (last write per agent wins).
 * - When Redis returns with a lower change counter than the mirror's (it lost its data), the
 *   mirror's active quarantines are written back too.
 * - A judge that starts while Redis is down knows no earlier quarantines until Redis returns.
 */
export function createMirroredQuarantineStore(
  shared: SharedQuarantineStore,
  availability: StoreAvailability,
  options: MirroredQuarantineOptions,
): MirroredQuarantineStore {
  const { clock } = options;
  const mirror = new Map<string, QuarantineEntry>();
  let mirrorVersion = '';
  let pending = new Map<string, PendingWrite>();
  let syncing = false;

  const remember = (agentId: string, entry: QuarantineEntry | null) => {
    if (entry) mirror.set(agentId, entry);
    else mirror.delete(agentId);
  };

  async function sync(): Promise<void> {
    if (!availability.up || syncing) return;
    syncing = true;
    try {
      const version = await shared.version();
      if (version === mirrorVersion) return;
      const snap = await shared.snapshot(clock());
      mirror.clear();
      for (const e of snap.entries) mirror.set(e.agentId, e);
      // Writes made here while the snapshot was in flight are not lost: they went to Redis too.
      mirrorVersion = snap.version;
    } catch (error) {
      options.onSyncError?.(error);
    } finally {
      syncing = false;
    }
  }
  const timer = setInterval(() => void sync(), options.syncIntervalMs ?? 250);
  timer.unref();
  void sync();

  availability.onRecover('quarantine', async () => {
    if (mirrorVersion !== '') {
      // A change counter lower than the one we mirrored means Redis came back without its data
      // (restarted without persistence, or a failover lost writes): put our copy back.
      if (Number(await shared.version()) < Number(mirrorVersion)) {
        const nowMs = clock();
        for (const e of mirror.values()) {
          if (isActive(e, nowMs) && !pending.has(e.agentId))
            pending.set(e.agentId, { op: 'put', entry: e });
        }
      }
      mirrorVersion = '';
    }
    const batch = pending;
    if (batch.size === 0) return 0;
    pending = new Map();
    const done: string[] = [];
    try {
      for (const [agentId, write] of batch) {
        if (write.op === 'put') await shared.put(write.entry);
        else await shared.release(agentId);
        done.push(agentId);
      }
    } catch (error) {
      // Keep what was not written, unless a newer local write for the agent supersedes it.
      for (const [agentId, write] of batch) {
        if (!done.includes(agentId) && !pending.has(agentId)) pending.set(agentId, write);
      }
      throw error;
    }
    mirrorVersion = ''; // resync after the outage: others may have written too
    return batch.size;
  });

  return {
    async get(agentId, nowMs) {
      return availability.run(
        'quarantine',
        async () => {
          const entry = await shared.get(agentId, nowMs);
          remember(agentId, entry);
          return entry;
        },
        () => {
          const e = mirror.get(agentId);
          return e && isActive(e, nowMs) ? e : null;
        },
      );
    },
    async put(entry) {
      remember(entry.agentId, entry);
      await availability.run(
        'quarantine',
        () => shared.put(entry),
        () => void pending.set(entry.agentId, { op: 'put', entry }),
      );
    },
    async release(agentId) {
      const known = mirror.has(agentId);
      remember(agentId, null);
      return availability.run(
        'quarantine',
        () => shared.release(agentId),
        () => {
          pending.set(agentId, { op: 'release', agentId });
          return known;
        },
      );
    },
    async list(nowMs) {
      return availability.run(
        'quarantine',
        () => shared.list(nowMs),
        () =>
          [...mirror.values()]
            .filter((e) => isActive(e, nowMs))
            .sort((a, b) => a.sinceMs - b.sinceMs),
      );
    },
    stats: () => ({ mirrored: mirror.size, pending: pending.size }),
    close: () => clearInterval(timer),
  };
}
