import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { auditv1, judgev1, quotav1, type Action } from '@nethical/contracts';
import type { Logger } from '@nethical/platform';
import type { CallBudget, GatewayPorts } from '../domain/process-action';
import {
  createAuditBatcher,
  createJudgeBatcher,
  createQuotaBatcher,
  type BatchingOptions,
} from './batchers';

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
  /**
   * Longest wait per call, ms (the client's configured timeout): a caller's deadline shortens
   * it, never lengthens it, so a hung dependency costs this long, not the whole request deadline.
   */
  timeoutsMs?: { quota: number; judge: number; audit: number };
  /** Batch the appends of one event-loop turn into one AppendBatch call (batchers.ts). */
  auditBatching?: BatchingOptions;
  /** Batch the quota checks of one event-loop turn into one CheckBatch call. */
  quotaBatching?: BatchingOptions;
  /** Batch the judge calls of one event-loop turn into one JudgeBatch call. */
  judgeBatching?: BatchingOptions;
}): GatewayPorts {
  const { quota, judge, audit, logger } = opts;
  const cap =
    (ms: number | undefined) =>
    (budget?: CallBudget): CallBudget | undefined =>
      ms === undefined
        ? budget
        : { signal: budget?.signal, timeoutMs: Math.min(budget?.timeoutMs ?? ms, ms) };
  const quotaBudget = cap(opts.timeoutsMs?.quota);
  const judgeBudget = cap(opts.timeoutsMs?.judge);
  const auditBudget = cap(opts.timeoutsMs?.audit);
  const check =
    quota && opts.quotaBatching
      ? createQuotaBatcher(quota, opts.quotaBatching)
      : (req: quotav1.CheckRequest, budget?: CallBudget) => quota!.check(req, budget);
  const judgeCall = opts.judgeBatching
    ? createJudgeBatcher(judge, opts.judgeBatching)
    : (action: Action, budget?: CallBudget) => judge.judge({ action }, budget);
  const append = opts.auditBatching
    ? createAuditBatcher(audit, opts.auditBatching)
    : (record: auditv1.AuditRecord, budget?: CallBudget) =>
        audit.append({ record, receiptOnly: true }, budget);
  return {
    checkQuota: quota
      ? async (req, budget) => {
          try {
            return await check(req, quotaBudget(budget));
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
    judge: (action, budget) => judgeCall(action, judgeBudget(budget)),
    appendAudit: (record, budget) => append(record, auditBudget(budget)),
    getAudit: (actionId, budget) => getAuditRecord(audit, actionId, auditBudget(budget)),
  };
}
