import { create } from '@bufbuild/protobuf';
import { auditv1 } from '@nethical/contracts';
import type { ServiceImpl } from '@connectrpc/connect';
import { hashLeaf } from '@nethical/merkle';
import {
  AuditInvalidRecordError,
  AuditPageTokenError,
  AuditUnavailableError,
  type AuditLog,
} from '@nethical/audit-log';
import {
  InvalidArgumentError,
  NotFoundError,
  toConnectError,
  UnavailableError,
} from '@nethical/platform';

/** Why an append was refused: the store's reason (`queue_full`, `closed`, `database`) or `invalid`. */
export type RefusalReason = 'queue_full' | 'closed' | 'database' | 'invalid';

/** The one place audit-log errors become platform errors (and so gRPC codes / HTTP statuses). */
async function mapped<T>(
  fn: () => Promise<T>,
  onRefused?: (reason: RefusalReason) => void,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AuditUnavailableError) {
      onRefused?.(err.reason);
      throw new UnavailableError(err.message, { cause: err });
    }
    if (err instanceof AuditInvalidRecordError) {
      onRefused?.('invalid');
      throw new InvalidArgumentError('record', err.message);
    }
    if (err instanceof AuditPageTokenError)
      throw new InvalidArgumentError('page_token', err.message);
    throw err;
  }
}

/**
 * What the store assigned to a new record, for a caller that asked for receipts: it holds the
 * record it sent, so echoing it back (content, violations, the ~1 KB leaf) only made both sides
 * encode and decode it again (`perf/RESULTS.md`, issue 17).
 */
function receiptOf(record: auditv1.AuditRecord): auditv1.AppendReceipt {
  return create(auditv1.AppendReceiptSchema, {
    sequence: record.sequence,
    committedAt: record.committedAt,
    leafHash: hashLeaf(record.leaf),
  });
}

/** Most records one AppendBatch may carry. */
export const MAX_BATCH = 256;

function checkRecord(record: auditv1.AuditRecord, prefix: string): void {
  if (!record.actionId) throw new InvalidArgumentError(`${prefix}action_id`, 'is required');
  if (!record.agentId) throw new InvalidArgumentError(`${prefix}agent_id`, 'is required');
}

/**
 * `nethical.audit.v1.AuditStoreService` over an AuditLog. `stopping` ends open tails at shutdown
 * so draining does not wait for them. `onRefused` counts every append refused, by Append or
 * inside an AppendBatch (whose per-record errors never show as RPC errors): the back-pressure
 * signal is `queue_full`.
 */
export function auditService(
  log: AuditLog,
  stopping: AbortSignal,
  onRefused?: (reason: RefusalReason) => void,
): ServiceImpl<typeof auditv1.AuditStoreService> {
  return {
    async append(req) {
      if (!req.record) throw new InvalidArgumentError('record', 'is required');
      checkRecord(req.record, 'record.');
      const out = await mapped(() => log.append(req.record!), onRefused);
      return req.receiptOnly && !out.duplicate
        ? create(auditv1.AppendResponseSchema, { receipt: receiptOf(out.record) })
        : create(auditv1.AppendResponseSchema, { record: out.record, duplicate: out.duplicate });
    },
    async appendBatch(req) {
      if (req.records.length > MAX_BATCH)
        throw new InvalidArgumentError('records', `must hold at most ${MAX_BATCH} records`);
      // Every record joins the group-commit queue at once, so the batch is committed in as few
      // transactions as the writer's batch size allows; each gets its own outcome.
      const outcomes = await Promise.all(
        req.records.map(async (record, i) => {
          try {
            checkRecord(record, `records[${i}].`);
            const out = await mapped(() => log.append(record), onRefused);
            return req.receiptsOnly && !out.duplicate
              ? create(auditv1.AppendOutcomeSchema, { receipt: receiptOf(out.record) })
              : create(auditv1.AppendOutcomeSchema, {
                  record: out.record,
                  duplicate: out.duplicate,
                });
          } catch (err) {
            const ce = toConnectError(err);
            return create(auditv1.AppendOutcomeSchema, {
              errorCode: ce.code,
              errorMessage: ce.rawMessage,
            });
          }
        }),
      );
      return create(auditv1.AppendBatchResponseSchema, { outcomes });
    },
    async getRecord(req) {
      if (!req.actionId) throw new InvalidArgumentError('action_id', 'is required');
      const record = await mapped(() => log.get(req.actionId));
      if (!record) throw new NotFoundError(`action_id: no audit record for ${req.actionId}`);
      return create(auditv1.GetRecordResponseSchema, { record });
    },
    async listRecords(req) {
      if (req.pageSize > 1000) throw new InvalidArgumentError('page_size', 'must be at most 1000');
      const page = await mapped(() =>
        log.list({
          agentId: req.agentId || undefined,
          since: req.since,
          until: req.until,
          decision: req.decision || undefined,
          pageSize: req.pageSize || undefined,
          pageToken: req.pageToken || undefined,
        }),
      );
      return create(auditv1.ListRecordsResponseSchema, page);
    },
    async *tailRecords(req, ctx) {
      const batch = Math.min(Math.max(req.batchSize || 500, 1), 5000);
      if (req.lingerMs > 1000) throw new InvalidArgumentError('linger_ms', 'must be at most 1000');
      for await (const records of log.tail(req.fromSequence, batch, {
        signal: AbortSignal.any([ctx.signal, stopping]),
        lingerMs: req.lingerMs,
      })) {
        yield create(auditv1.TailRecordsResponseSchema, { records });
      }
    },
  };
}
