import { create, type JsonObject } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Decision, ActionSchema, type Action } from '@nethical/contracts';
import { auditv1, gatewayv1, judgev1, quotav1 } from '@nethical/contracts';
import { AlreadyExistsError, QuotaExceededError } from '@nethical/platform';
import { Code, ConnectError } from '@connectrpc/connect';
import canonicalize from 'canonicalize';
import { hashLeaf } from '@nethical/merkle';
import { createHmac } from 'node:crypto';
import type { ActionRequest } from './action-request';

/** How long an internal call may take, and the signal that cancels it (client gone). */
export interface CallBudget {
  signal?: AbortSignal;
  /** Milliseconds left of the caller's deadline. */
  timeoutMs?: number;
}

/** What the gateway needs of the other services: narrow ports, wired to RPC clients in main.ts. */
export interface GatewayPorts {
  /** Absent when NETHICAL_ENABLE_QUOTA is off. */
  checkQuota?: (req: quotav1.CheckRequest, budget?: CallBudget) => Promise<quotav1.CheckResponse>;
  judge: (action: Action, budget?: CallBudget) => Promise<judgev1.JudgeResponse>;
  appendAudit: (
    record: auditv1.AuditRecord,
    budget?: CallBudget,
  ) => Promise<auditv1.AppendResponse>;
  getAudit: (actionId: string, budget?: CallBudget) => Promise<auditv1.AuditRecord | undefined>;
}

/**
 * The client's deadline and liveness for one action: `deadline` (epoch ms) from `grpc-timeout`,
 * `connect-timeout-ms` or the HTTP default; `signal` aborts when the client goes away. Every
 * internal call gets what is left of the deadline, and no stage starts once it has passed or
 * the client is gone: that work would be finished for nobody.
 */
export interface ActionScope {
  signal?: AbortSignal;
  deadline?: number;
  /**
   * The request's headers, read only when needed (residency.ts: who forwarded it, and the
   * caller's credentials to pass on), so the common path copies nothing.
   */
  header?: (name: string) => string | null | undefined;
}

export interface ProcessorDeps {
  ports: GatewayPorts;
  now: () => Date;
  newActionId: () => string;
  /** Key of the request digests (NETHICAL_REQUEST_DIGEST_KEY or the kept generated one). */
  requestDigestKey: string;
  /** Measures the duration of each stage (for metrics). */
  observeStage?: (stage: string, seconds: number) => void;
  traceId?: () => string;
}

export interface ProcessOutcome {
  response: gatewayv1.ProcessActionResponse;
  /** Quota state to expose as RateLimit headers on HTTP. */
  quota?: quotav1.CheckResponse;
}

function dimensionsOf(violations: readonly { ethicalDimensions: string[] }[]): string[] {
  return [...new Set(violations.flatMap((v) => v.ethicalDimensions))];
}

/** Build the reply from a stored record (first-time and replayed actions answer alike). */
export function responseFromRecord(
  record: auditv1.AuditRecord,
  replayed: boolean,
  judged?: judgev1.JudgeResponse,
  receipt?: auditv1.AppendReceipt,
): gatewayv1.ProcessActionResponse {
  const dims = judged?.ethicalDimensions ?? dimensionsOf(record.violations);
  return create(gatewayv1.ProcessActionResponseSchema, {
    actionId: record.actionId,
    decision: record.decision,
    violations: record.violations,
    riskScore: record.riskScore,
    reasoning: record.reasoning,
    audit: {
      sequence: record.sequence,
      committedAt: record.committedAt,
      leafHash: receipt ? receipt.leafHash : hashLeaf(record.leaf),
      replayed,
    },
    modifiedAction:
      record.decision === Decision.ALLOW_WITH_MODIFICATION
        ? judged?.modifiedContent || record.content
        : '',
    ethicalDimensions: dims,
    primaryDimension: judged?.primaryDimension ?? dims[0] ?? '',
    mlScore: record.mlScore,
    policyRevision: record.policyRevision,
    detectorsRun: record.detectorsRun,
    escalationId: judged?.escalationId ?? '',
    agentRisk: judged?.agentRisk ?? 0,
  });
}

/**
 * The digest that binds a decision to the request it was made for: hex HMAC-SHA256, under the
 * gateway's request-digest key, of the RFC 8785 JSON of the action type, content and context as
 * received. Stored with the record (and in its leaf), so a retried action id can be checked
 * against it. Keyed because the content is hashed before redaction: a plain hash in the audit
 * trail would let anyone who reads it confirm a guess of the PII that redaction removed.
 */
export function requestDigest(
  req: Pick<ActionRequest, 'actionType' | 'action' | 'context'>,
  key: string,
): string {
  const canonical = canonicalize({
    action_type: req.actionType,
    content: req.action,
    context: req.context ?? null,
  });
  return createHmac('sha256', key)
    .update(canonical ?? '', 'utf8')
    .digest('hex');
}

/**
 * The stored record of a retried action id, only for the same request from the agent (and
 * tenant) that sent it. An id reused by someone else, or by the same agent for a different
 * action, is refused (409 / ALREADY_EXISTS): answering it would hand out another agent's
 * decision, or approve an action that was never judged. Records written before digests existed
 * (empty `request_digest`) are matched on agent and tenant only.
 */
function ownedBy(
  record: auditv1.AuditRecord,
  req: ActionRequest,
  digest: string,
): auditv1.AuditRecord {
  if (record.agentId !== req.agentId || record.tenantId !== req.tenantId) {
    throw new AlreadyExistsError(
      'action_id',
      'this action_id was already used for another agent; use a new one',
    );
  }
  if (record.requestDigest !== '' && record.requestDigest !== digest) {
    throw new AlreadyExistsError(
      'action_id',
      'this action_id was already used for a different action (type, content or context); a retry must repeat the request exactly, a new action needs a new action_id',
    );
  }
  return record;
}

/**
 * One action through the mesh: quota (which also recognises a retried action id) → judge →
 * durable audit → reply. The reply is built only after the audit store acknowledged COMMIT, so
 * an acknowledged action is never lost. A retried action id returns the original decision and
 * is audited once: quota flags it as a replay and the original is read from the audit trail;
 * a retry that quota no longer remembers (or concurrent retries) is still stored once, because
 * the audit store deduplicates by action id and answers with the original record.
 */
export function createActionProcessor(deps: ProcessorDeps) {
  const { ports } = deps;
  /** Time one stage; a failure names the stage it happened in (e.g. `judge: deadline exceeded`). */
  const stage = async <T>(
    name: string,
    scope: ActionScope,
    fn: (budget: CallBudget) => Promise<T>,
  ): Promise<[T, number]> => {
    if (scope.signal?.aborted)
      throw new ConnectError(`${name}: not started, the client went away`, Code.Canceled);
    const left = scope.deadline === undefined ? undefined : scope.deadline - deps.now().getTime();
    if (left !== undefined && left <= 0) {
      throw new ConnectError(
        `${name}: not started, the request deadline has passed`,
        Code.DeadlineExceeded,
      );
    }
    const budget: CallBudget = { signal: scope.signal, timeoutMs: left };
    const start = performance.now();
    let out: T;
    try {
      out = await fn(budget);
    } catch (err) {
      if (err instanceof ConnectError) {
        throw new ConnectError(
          `${name}: ${err.rawMessage}`,
          err.code,
          err.metadata,
          undefined,
          err,
        );
      }
      throw err;
    }
    const ms = performance.now() - start;
    deps.observeStage?.(name, ms / 1000);
    return [out, ms];
  };

  return async function process(
    req: ActionRequest,
    scope: ActionScope = {},
  ): Promise<ProcessOutcome> {
    const receivedAt = deps.now();
    const actionId = req.actionId || deps.newActionId();
    const digest = requestDigest(req, deps.requestDigestKey);
    const latencies: Record<string, number> = {};
    const checkQuota = ports.checkQuota;
    const replayed = async () =>
      (await stage('replay', scope, (b) => ports.getAudit(actionId, b)))[0];
    let existing: auditv1.AuditRecord | undefined;
    let quota: quotav1.CheckResponse | undefined;
    if (checkQuota) {
      // Quota remembers allowed action ids (NETHICAL_QUOTA_REPLAY_WINDOW_SECONDS): a retry is not
      // charged and comes back `replay`, and only then is the audit trail read. When quota could
      // not be asked (it failed open) the audit trail is read as without quota.
      const [q, ms] = await stage('quota', scope, (b) =>
        checkQuota(
          create(quotav1.CheckRequestSchema, {
            agentId: req.agentId,
            tenantId: req.tenantId,
            regionId: req.regionId,
            payloadBytes: BigInt(Buffer.byteLength(req.action, 'utf8')),
            actionId: req.actionId,
          }),
          b,
        ),
      );
      latencies.quota = ms;
      quota = q;
      // A denied retry may still be one quota has forgotten (older than its window): ask the
      // audit trail before answering 429. Denials are rare, so this costs little.
      if (req.actionId && (q.replay || !q.allowed || q.store === 'unavailable'))
        existing = await replayed();
    } else if (req.actionId) {
      existing = await replayed();
    }
    // A retried action gets its original decision, whatever its quota says now.
    if (existing) return { response: responseFromRecord(ownedBy(existing, req, digest), true) };

    if (quota && !quota.allowed) {
      throw new QuotaExceededError(
        `rate limit ${quota.limitName} exceeded for agent ${req.agentId}; retry after ${quota.retryAfterSeconds.toFixed(3)} s`,
        quota.retryAfterSeconds,
        Number(quota.limit),
        Number(quota.remaining),
        quota.resetAfterSeconds,
        quota.limitName,
        quota.windowSeconds,
      );
    }

    const traceId = deps.traceId?.() ?? '';
    const action = create(ActionSchema, {
      actionId,
      agentId: req.agentId,
      tenantId: req.tenantId,
      regionId: req.regionId,
      actionType: req.actionType,
      content: req.action,
      context: req.context as JsonObject | undefined,
      cohort: req.cohort,
      traceId,
    });
    const [judged, judgeMs] = await stage('judge', scope, (b) => ports.judge(action, b));
    latencies.judge = judgeMs;

    const record = create(auditv1.AuditRecordSchema, {
      actionId,
      agentId: req.agentId,
      tenantId: req.tenantId,
      regionId: req.regionId,
      actionType: req.actionType,
      content: judged.redactedContent,
      decision: judged.decision,
      violations: judged.violations,
      riskScore: judged.riskScore,
      mlScore: judged.ml && (judged.ml.blended || judged.ml.shadow) ? judged.ml.score : undefined,
      policyRevision: judged.policyRevision,
      modelVersion: judged.ml?.modelVersion ?? '',
      stageLatencyMs: latencies,
      traceId,
      receivedAt: timestampFromDate(receivedAt),
      reasoning: judged.reasoning,
      cohort: req.cohort,
      detectorsRun: judged.detectorsRun,
      requestDigest: digest,
    });
    const [appended] = await stage('audit', scope, (b) => ports.appendAudit(record, b));
    // A new record comes back as a receipt (what the store assigned); a duplicate, or an audit
    // store that predates receipts, answers with the stored record.
    const receipt = appended.record ? undefined : appended.receipt;
    if (receipt) {
      record.sequence = receipt.sequence;
      record.committedAt = receipt.committedAt;
    }
    const stored =
      appended.duplicate && appended.record
        ? ownedBy(appended.record, req, digest)
        : (appended.record ?? record);
    const response = responseFromRecord(
      stored,
      appended.duplicate,
      appended.duplicate ? undefined : judged,
      receipt,
    );
    if (quota) {
      response.quota = create(gatewayv1.QuotaInfoSchema, {
        remaining: quota.remaining,
        limit: quota.limit,
        resetAfterSeconds: quota.resetAfterSeconds,
      });
    }
    return { response, quota };
  };
}

export type ActionProcessor = ReturnType<typeof createActionProcessor>;
