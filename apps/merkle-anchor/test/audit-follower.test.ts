import { create } from '@bufbuild/protobuf';
import { createClient, createRouterTransport } from '@connectrpc/connect';
import { auditv1 } from '@nethical/contracts';
import { createLogger } from '@nethical/platform';
import { describe, expect, it } from 'vitest';
import { followAuditLog } from '../src/adapters/audit-follower';

/** An audit store (in memory, through Connect's router transport) whose log holds `total` records. */
function auditWith(total: number) {
  const opened: number[] = [];
  const transport = createRouterTransport(({ service }) => {
    service(auditv1.AuditStoreService, {
      async *tailRecords(req, ctx) {
        opened.push(Number(req.fromSequence));
        for (let s = Number(req.fromSequence); s < total && !ctx.signal.aborted; s += 3) {
          const records = [];
          for (let i = s; i < Math.min(s + 3, total); i++) {
            records.push(create(auditv1.AuditRecordSchema, { sequence: BigInt(i), leaf: new Uint8Array([i % 256]) }));
          }
          yield { records };
        }
        // Then idle, like a caught-up tail, until the caller goes away.
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      },
    });
  });
  return { client: createClient(auditv1.AuditStoreService, transport), opened };
}

describe('audit follower', () => {
  it('recycles its stream every N records and still delivers every record once, in order', async () => {
    const { client, opened } = auditWith(50);
    const seen: number[] = [];
    const follower = followAuditLog({
      audit: client,
      nextSequence: () => seen.length,
      onBatch: async (first, leaves) => {
        leaves.forEach((_, i) => seen.push(first + i));
      },
      logger: createLogger('test', 'silent'),
      recycleAfterRecords: 10,
    });
    for (let i = 0; i < 100 && seen.length < 50; i++) await new Promise((r) => setTimeout(r, 10));
    await follower.stop();
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // A new TailRecords from the tree's size after every 10 or so records (batches of 3 → 12).
    expect(opened.slice(0, 5)).toEqual([0, 12, 24, 36, 48]);
  });
});
