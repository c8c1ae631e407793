import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { auditv1, judgev1, quotav1, type Action } from '@nethical/contracts';
import { createTurnBatcher } from './turn-batcher';

/** Sizing of a batcher. */
export interface BatchingOptions {
  /** Most items per batch call (the services take up to 256). */
  maxRecords: number;
  /** An audit batch is sent early once its records' content passes this many characters. */
  maxContentChars: number;
  /** Batch sizes, for metrics. */
  onBatch?: (records: number) => void;
}

const failed = (code: number, message: string) =>
  new ConnectError(message || 'failed', (code || Code.Internal) as Code);

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
    maxItems: options.maxRecords,
    weight: (record) => record.content.length,
    maxWeight: options.maxContentChars,
    onBatch: options.onBatch,
    one: (record, budget) => audit.append({ record }, budget),
    many: async (records, timeoutMs) => {
      const res = await audit.appendBatch(
        create(auditv1.AppendBatchRequestSchema, { records }),
        timeoutMs === undefined ? {} : { timeoutMs },
      );
      return res.outcomes.map((o) =>
        o.errorCode !== 0 || !o.record
          ? { error: failed(o.errorCode, o.errorMessage) }
          : {
              ok: create(auditv1.AppendResponseSchema, {
                record: o.record,
                duplicate: o.duplicate,
              }),
            },
      );
    },
  });
}

/** The gateway's quota checks, batched per event-loop turn into `CheckBatch` calls. */
export function createQuotaBatcher(
  quota: Client<typeof quotav1.QuotaService>,
  options: Omit<BatchingOptions, 'maxContentChars'>,
) {
  return createTurnBatcher<quotav1.CheckRequest, quotav1.CheckResponse>({
    maxItems: options.maxRecords,
    onBatch: options.onBatch,
    one: (req, budget) => quota.check(req, budget),
    many: async (checks, timeoutMs) => {
      const res = await quota.checkBatch(
        create(quotav1.CheckBatchRequestSchema, { checks }),
        timeoutMs === undefined ? {} : { timeoutMs },
      );
      return res.outcomes.map((o) =>
        o.errorCode !== 0 || !o.response
          ? { error: failed(o.errorCode, o.errorMessage) }
          : { ok: o.response },
      );
    },
  });
}

/** The gateway's judge calls, batched per event-loop turn into `JudgeBatch` calls. */
export function createJudgeBatcher(
  judge: Client<typeof judgev1.PolicyJudgeService>,
  options: BatchingOptions,
) {
  return createTurnBatcher<Action, judgev1.JudgeResponse>({
    maxItems: options.maxRecords,
    weight: (action) => action.content.length,
    maxWeight: options.maxContentChars,
    onBatch: options.onBatch,
    one: (action, budget) => judge.judge({ action }, budget),
    many: async (actions, timeoutMs) => {
      const res = await judge.judgeBatch(
        create(judgev1.JudgeBatchRequestSchema, {
          requests: actions.map((action) => ({ action })),
        }),
        timeoutMs === undefined ? {} : { timeoutMs },
      );
      return res.outcomes.map((o) =>
        o.errorCode !== 0 || !o.response
          ? { error: failed(o.errorCode, o.errorMessage) }
          : { ok: o.response },
      );
    },
  });
}
