import type { Client } from '@connectrpc/connect';
import type { auditv1 } from '@nethical/contracts';
import { inRecordTraces, type Logger } from '@nethical/platform';

export interface FollowerStatus {
  connected: boolean;
  lastError: string;
  lastBatchAt: number;
}

/**
 * Follow the audit log: stream committed records from the tree's size on and hand each batch's
 * leaves to `onBatch` in sequence order. Reconnects with backoff when the audit store goes away;
 * resumes from the tree's size, so nothing is skipped or appended twice.
 *
 * Each stream is recycled after `recycleAfterRecords` records (a fresh TailRecords from the
 * tree's size, no backoff). The internal client reads server streams through grpc-js, which
 * retains nothing (flat at ~110 MB at 800/s); the recycling guards the modes that use Connect's
 * transport instead (`NETHICAL_RPC_CLIENT=connect`), whose client races
 * every read against a promise that settles only when the call ends (connect-es#1524), so a
 * never-ending stream keeps every message it delivered (~4 KB per action).
 */
export function followAuditLog(opts: {
  audit: Client<typeof auditv1.AuditStoreService>;
  nextSequence: () => number;
  onBatch: (firstIndex: number, leaves: Uint8Array[]) => Promise<void>;
  logger: Logger;
  batchSize?: number;
  /** Asks the audit store to gather this many ms of commits into one message (0: each at once). */
  lingerMs?: number;
  /** Records after which the stream is closed and reopened (bounds the client's retention). */
  recycleAfterRecords?: number;
}): { status: FollowerStatus; stop(): Promise<void> } {
  const recycleAfter = opts.recycleAfterRecords ?? 20_000;
  const status: FollowerStatus = { connected: false, lastError: '', lastBatchAt: 0 };
  const abort = new AbortController();
  let backoff = 100;
  const loop = (async () => {
    while (!abort.signal.aborted) {
      const call = new AbortController();
      const stopCall = () => call.abort();
      abort.signal.addEventListener('abort', stopCall, { once: true });
      let recycled = false;
      try {
        const stream = opts.audit.tailRecords(
          {
            fromSequence: BigInt(opts.nextSequence()),
            batchSize: opts.batchSize ?? 1000,
            lingerMs: opts.lingerMs ?? 0,
          },
          { signal: call.signal, timeoutMs: 0 },
        );
        status.connected = true;
        let received = 0;
        for await (const msg of stream) {
          if (msg.records.length === 0) continue;
          const first = Number(msg.records[0]!.sequence);
          // Each record's action trace gets an anchoring span (no-op when tracing is off).
          const records = msg.records;
          await inRecordTraces(
            'merkle-anchor/anchor',
            records.map((r) => r.traceId),
            () =>
              opts.onBatch(
                first,
                records.map((r) => r.leaf),
              ),
          );
          status.lastBatchAt = Date.now();
          backoff = 100;
          received += msg.records.length;
          if (received >= recycleAfter) {
            recycled = true;
            break;
          }
        }
      } catch (err) {
        if (abort.signal.aborted) break;
        status.lastError = err instanceof Error ? err.message : String(err);
        opts.logger.warn({ err: status.lastError }, 'audit tail interrupted; reconnecting');
      } finally {
        abort.signal.removeEventListener('abort', stopCall);
        call.abort();
      }
      if (recycled) continue;
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
