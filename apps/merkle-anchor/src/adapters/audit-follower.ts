import type { Client } from '@connectrpc/connect';
import type { auditv1 } from '@nethical/contracts';
import type { Logger } from '@nethical/platform';

export interface FollowerStatus {
  connected: boolean;
  lastError: string;
  lastBatchAt: number;
}

/**
 * Follow the audit log: stream committed records from the tree's size on and hand each batch's
 * leaves to `onBatch` in sequence order. Reconnects with backoff when the audit store goes away;
 * resumes from the tree's size, so nothing is skipped or appended twice.
 */
export function followAuditLog(opts: {
  audit: Client<typeof auditv1.AuditStoreService>;
  nextSequence: () => number;
  onBatch: (firstIndex: number, leaves: Uint8Array[]) => Promise<void>;
  logger: Logger;
  batchSize?: number;
}): { status: FollowerStatus; stop(): Promise<void> } {
  const status: FollowerStatus = { connected: false, lastError: '', lastBatchAt: 0 };
  const abort = new AbortController();
  let backoff = 100;
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const stream = opts.audit.tailRecords(
          { fromSequence: BigInt(opts.nextSequence()), batchSize: opts.batchSize ?? 1000 },
          { signal: abort.signal, timeoutMs: 0 },
        );
        status.connected = true;
        for await (const msg of stream) {
          if (msg.records.length === 0) continue;
          const first = Number(msg.records[0]!.sequence);
          await opts.onBatch(
            first,
            msg.records.map((r) => r.leaf),
          );
          status.lastBatchAt = Date.now();
          backoff = 100;
        }
      } catch (err) {
        if (abort.signal.aborted) break;
        status.lastError = err instanceof Error ? err.message : String(err);
        opts.logger.warn({ err: status.lastError }, 'audit tail interrupted; reconnecting');
      }
      status.connected = false;
      if (abort.signal.aborted) break;
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 5000);
    }
  })();
  return {
    status,
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
