import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { auditv1, judgev1, quotav1, type Action } from '@nethical/contracts';
import type { Logger } from '@nethical/platform';
import type { CallBudget, GatewayPorts } from '../domain/process-action';
import { createAuditBatcher, createJudgeBatcher, createQuotaBatcher } from './batchers';

/** The audit record of an action id, or undefined when the store has none (NOT_FOUND). */
export async function getAuditRecord(
  audit: Client<typeof auditv1.AuditStoreService>,
  actionId: string,
  budget?: CallBudget,
): Promise<auditv1.AuditRecord | undefined> {
  try {
    return (await audit.getRecord({ actionId }, budget)).record;
  } catch (err) {
    if (err instanceof ConnectError && err.code === Code.NotFound) return undefined;
    throw err;
  }
}

/**
 * Ports over the RPC clients. Quota fails open when the quota *service* cannot be reached (the
 * quota service itself already falls back to a local limiter when Redis is down): rate limiting
 * is protection, not judgment, and an action is never allowed without the judge. The judge and
 * the audit store fail closed: their errors reach the caller as UNAVAILABLE.
 */
export function createServicePorts(opts: {
  quota?: Client<typeof quotav1.QuotaService>;
  judge: Client<typeof judgev1.PolicyJudgeService>;
  audit: Client<typeof auditv1.AuditStoreService>;
  logger: Logger;
  onQuotaUnavailable: () => void;
  /** Batch the appends of one event-loop turn into one AppendBatch call (audit-batcher.ts). */
  auditBatching?: {
    maxRecords: number;
    maxContentChars: number;
    onBatch?: (records: number) => void;
  };
  /** Batch the quota checks of one event-loop turn into one CheckBatch call. */
  quotaBatching?: { maxRecords: number; onBatch?: (checks: number) => void };
  /** Batch the judge calls of one event-loop turn into one JudgeBatch call. */
  judgeBatching?: {
    maxRecords: number;
    maxContentChars: number;
    onBatch?: (actions: number) => void;
  };
}): GatewayPorts {
  const { quota, judge, audit, logger } = opts;
  const check =
    quota && opts.quotaBatching
      ? createQuotaBatcher(quota, opts.quotaBatching)
      : (req: quotav1.CheckRequest, budget?: CallBudget) => quota!.check(req, budget);
  return {
    checkQuota: quota
      ? async (req, budget) => {
          try {
            return await check(req, budget);
          } catch (err) {
            // Only "cannot reach it in time": any other code (INTERNAL, UNKNOWN …) may be a quota bug,
            // which must surface rather than silently lift every limit.
            const code = err instanceof ConnectError ? err.code : Code.Unknown;
            if (code === Code.Unavailable || code === Code.DeadlineExceeded) {
              opts.onQuotaUnavailable();
              logger.warn({ err }, 'quota service unreachable: failing open');
              return create(quotav1.CheckResponseSchema, { allowed: true, store: 'unavailable' });
            }
            throw err;
          }
        }
      : undefined,
    judge: opts.judgeBatching
      ? createJudgeBatcher(judge, opts.judgeBatching)
      : async (action: Action, budget) => judge.judge({ action }, budget),
    appendAudit: opts.auditBatching
      ? createAuditBatcher(audit, opts.auditBatching)
      : (record, budget) => audit.append({ record }, budget),
    getAudit: (actionId, budget) => getAuditRecord(audit, actionId, budget),
  };
}
