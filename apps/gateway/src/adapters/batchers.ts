import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { auditv1, judgev1, quotav1, type Action } from '@nethical/contracts';
import { createTurnBatcher, type BatchOutcome } from './turn-batcher';

/** Sizing of a batcher. */
export interface BatchingOptions {
  /** Most items per batch call (the services take up to 256). */
  maxItems: number;
  /**
   * Most bytes of content per batch call (audit and judge), counted as an upper bound (3 bytes
   * per UTF-16 unit): below the services' request limit (`readMaxBytes`), or a batch of large
   * actions would be refused whole. An item larger than this alone is sent alone.
   */
  maxBytes?: number;
  /** Batch sizes, for metrics. */
  onBatch?: (items: number) => void;
  /** Most batch calls in flight at once (turn-batcher.ts); unset: no bound. */
  maxInFlight?: number;
}

/** Upper bound of a string's UTF-8 size without encoding it (hot path). */
const utf8Bound = (text: string) => text.length * 3;
/** Per-item room for the other fields of a record or action. */
const ITEM_OVERHEAD = 4096;

/** One item's outcome in a batch answer: its value, or its own error. */
function outcome<T>(
  o: { errorCode: number; errorMessage: string },
  value: T | undefined,
): BatchOutcome<T> {
  return o.errorCode !== 0 || value === undefined
    ? {
        error: new ConnectError(o.errorMessage || 'failed', (o.errorCode || Code.Internal) as Code),
      }
    : { ok: value };
}

/**
 * The gateway's audit appends, batched per event-loop turn into `AppendBatch` calls
 * (turn-batcher.ts): one RPC and one group commit for many actions. Each caller is answered
 * only after its own record's COMMIT (or with its own error): acknowledgement semantics are
 * those of `Append`. A caller that stops waiting (deadline, client gone) may still have its
 * record committed, as with a timed-out `Append`; a retry with the same action id finds it.
 */
export function createAuditBatcher(
  audit: Client<typeof auditv1.AuditStoreService>,
  options: BatchingOptions,
) {
  return createTurnBatcher<auditv1.AuditRecord, auditv1.AppendResponse>({
    ...options,
    weight: (record) => utf8Bound(record.content) + ITEM_OVERHEAD,
    // Receipts: the gateway holds the records it sends; a new record's answer is what the
    // store assigned (sequence, commit time, leaf hash), not the record echoed back.
    one: (record, budget) => audit.append({ record, receiptOnly: true }, budget),
    many: async (records, timeoutMs) => {
      const res = await audit.appendBatch(
        create(auditv1.AppendBatchRequestSchema, { records, receiptsOnly: true }),
        { timeoutMs },
      );
      return res.outcomes.map((o) =>
        outcome(
          o,
          o.record || o.receipt
            ? create(auditv1.AppendResponseSchema, {
                record: o.record,
                duplicate: o.duplicate,
                receipt: o.receipt,
              })
            : undefined,
        ),
      );
    },
  });
}

/** The gateway's quota checks, batched per event-loop turn into `CheckBatch` calls. */
export function createQuotaBatcher(
  quota: Client<typeof quotav1.QuotaService>,
  options: BatchingOptions,
) {
  return createTurnBatcher<quotav1.CheckRequest, quotav1.CheckResponse>({
    ...options,
    one: (req, budget) => quota.check(req, budget),
    many: async (checks, timeoutMs) => {
      const res = await quota.checkBatch(create(quotav1.CheckBatchRequestSchema, { checks }), {
        timeoutMs,
      });
      return res.outcomes.map((o) => outcome(o, o.response));
    },
  });
}

/** The gateway's judge calls, batched per event-loop turn into `JudgeBatch` calls. */
export function createJudgeBatcher(
  judge: Client<typeof judgev1.PolicyJudgeService>,
  options: BatchingOptions,
) {
  return createTurnBatcher<Action, judgev1.JudgeResponse>({
    ...options,
    weight: (action) => utf8Bound(action.content) + ITEM_OVERHEAD,
    one: (action, budget) => judge.judge({ action }, budget),
    many: async (actions, timeoutMs) => {
      const requests = actions.map((action) => ({ action }));
      const res = await judge.judgeBatch(create(judgev1.JudgeBatchRequestSchema, { requests }), {
        timeoutMs,
      });
      return res.outcomes.map((o) => outcome(o, o.response));
    },
  });
}
