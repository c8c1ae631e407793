import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  ActionType,
  actionTypeName,
  Decision,
  Severity,
  ViolationSchema,
  judgev1,
} from '@nethical/contracts';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { InvalidArgumentError, NotFoundError, toConnectError } from '@nethical/platform';
import {
  EscalationNotFoundError,
  EscalationStateError,
  InvalidActionError,
  StoreUnavailableError,
} from '../domain/errors';
import type { Escalation } from '../domain/escalation/escalation-store';
import type { JudgedFinding } from '../domain/finding';
import type { Judge } from '../domain/judge';
import type { QuarantineEntry } from '../domain/quarantine/quarantine-store';

const EXCERPT_MAX = 80;

/** Evidence excerpts never carry PII or secrets: those show their type only. */
function excerptOf(f: JudgedFinding, text: string, start: number, end: number): string {
  if (f.category.startsWith('pii.') || f.category.startsWith('secret.')) {
    return `[${f.category.split('.')[1]?.toUpperCase() ?? 'REDACTED'}]`;
  }
  const s = text.slice(start, Math.min(end, start + EXCERPT_MAX));
  return end - start > EXCERPT_MAX ? `${s}…` : s;
}

export function violationOf(f: JudgedFinding, text: string) {
  return create(ViolationSchema, {
    detector: f.detector,
    category: f.category,
    severity: Severity[f.severity],
    confidence: f.confidence,
    evidence: f.spans.map((s) => ({
      start: s.start,
      end: s.end,
      excerpt: excerptOf(f, text, s.start, s.end),
    })),
    reason: f.reason,
    ethicalDimensions: f.ethicalDimensions,
  });
}

const statusOf = (s: Escalation['status']) => judgev1.EscalationStatus[s];

function escalationMessage(e: Escalation) {
  return create(judgev1.EscalationSchema, {
    escalationId: e.escalationId,
    actionId: e.actionId,
    agentId: e.agentId,
    violations: e.findings.map((f) => violationOf(f, '')),
    redactedContent: e.redactedContent,
    status: statusOf(e.status),
    createdAt: timestampFromMs(e.createdAtMs),
    resolvedAt: e.resolvedAtMs === null ? undefined : timestampFromMs(e.resolvedAtMs),
    resolvedBy: e.resolvedBy ?? '',
    note: e.note ?? '',
  });
}

function quarantineMessage(q: QuarantineEntry) {
  return create(judgev1.QuarantineEntrySchema, {
    agentId: q.agentId,
    reason: q.reason,
    since: timestampFromMs(q.sinceMs),
    until: q.untilMs === null ? undefined : timestampFromMs(q.untilMs),
    source: q.source,
  });
}

/** Most actions one JudgeBatch may carry. */
export const MAX_BATCH = 256;

/** The one place judge-domain errors become platform errors (`prefix`: where the request sits in a batch). */
async function mapped<T>(fn: () => Promise<T>, prefix = ''): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InvalidActionError) {
      throw new InvalidArgumentError(
        `${prefix}${err.field}`,
        err.message.replace(`${err.field}: `, ''),
      );
    }
    if (err instanceof EscalationNotFoundError)
      throw new NotFoundError(`escalation_id: ${err.message}`);
    if (err instanceof EscalationStateError)
      throw new ConnectError(`escalation_id: ${err.message}`, Code.FailedPrecondition);
    if (err instanceof StoreUnavailableError)
      throw new ConnectError(err.message, Code.Unavailable, undefined, undefined, err);
    throw err;
  }
}

/** `nethical.judge.v1.PolicyJudgeService` over the judge domain. */
export function judgeService(judge: Judge): ServiceImpl<typeof judgev1.PolicyJudgeService> {
  const judgeOne = async (
    req: judgev1.JudgeRequest,
    prefix = '',
  ): Promise<judgev1.JudgeResponse> => {
    const a = req.action;
    if (!a) throw new InvalidArgumentError(`${prefix}action`, 'is required');
    if (ActionType[a.actionType] === undefined)
      throw new InvalidArgumentError(
        `${prefix}action.action_type`,
        `unknown value ${a.actionType}`,
      );
    const actionType = actionTypeName(a.actionType);
    const out = await mapped(
      () =>
        judge.judge({
          actionId: a.actionId,
          agentId: a.agentId,
          tenantId: a.tenantId,
          actionType,
          content: a.content,
          context: a.context,
        }),
      prefix,
    );
    return create(judgev1.JudgeResponseSchema, {
      decision: Decision[out.decision],
      violations: out.findings.map((f) => violationOf(f, a.content)),
      riskScore: out.riskScore,
      agentRisk: out.agentRisk,
      reasoning: out.reasoning,
      redactedContent: out.redactedContent,
      modifiedContent: out.modifiedContent ?? '',
      detectorsRun: out.detectorsRun,
      policyRevision: out.policyRevision,
      ml: out.ml
        ? {
            score: out.ml.score ?? 0,
            modelVersion: out.ml.modelVersion ?? '',
            shadow: out.ml.shadow,
            blended: out.ml.blended,
            anomaly: out.ml.anomaly ?? false,
            anomalyScore: out.ml.anomalyScore ?? 0,
          }
        : undefined,
      ethicalDimensions: out.ethicalDimensions,
      primaryDimension: out.primaryDimension ?? '',
      escalationId: out.escalationId ?? '',
      judgeMs: out.timings.totalMs,
    });
  };
  return {
    judge: (req) => judgeOne(req),
    async judgeBatch(req) {
      if (req.requests.length > MAX_BATCH) {
        throw new InvalidArgumentError('requests', `must hold at most ${MAX_BATCH} requests`);
      }
      const outcomes = await Promise.all(
        req.requests.map(async (r, i) => {
          try {
            return create(judgev1.JudgeOutcomeSchema, {
              response: await judgeOne(r, `requests[${i}].`),
            });
          } catch (err) {
            const ce = toConnectError(err);
            return create(judgev1.JudgeOutcomeSchema, {
              errorCode: ce.code,
              errorMessage: ce.rawMessage,
            });
          }
        }),
      );
      return create(judgev1.JudgeBatchResponseSchema, { outcomes });
    },
    async quarantineAgent(req) {
      if (!req.agentId) throw new InvalidArgumentError('agent_id', 'is required');
      const entry = await judge.quarantine(
        req.agentId,
        req.reason || 'operator order',
        req.durationSeconds || undefined,
      );
      return create(judgev1.QuarantineAgentResponseSchema, { entry: quarantineMessage(entry) });
    },
    async releaseAgent(req) {
      if (!req.agentId) throw new InvalidArgumentError('agent_id', 'is required');
      return create(judgev1.ReleaseAgentResponseSchema, {
        released: await judge.release(req.agentId),
      });
    },
    async listQuarantined() {
      const entries = await judge.listQuarantined();
      return create(judgev1.ListQuarantinedResponseSchema, {
        entries: entries.map(quarantineMessage),
      });
    },
    async listEscalations(req) {
      const status =
        req.status === judgev1.EscalationStatus.UNSPECIFIED
          ? undefined
          : (judgev1.EscalationStatus[req.status] as Escalation['status']);
      const list = await judge.listEscalations(status);
      return create(judgev1.ListEscalationsResponseSchema, {
        escalations: list.map(escalationMessage),
      });
    },
    async resolveEscalation(req) {
      if (!req.escalationId) throw new InvalidArgumentError('escalation_id', 'is required');
      if (
        req.status !== judgev1.EscalationStatus.APPROVED &&
        req.status !== judgev1.EscalationStatus.REJECTED
      ) {
        throw new InvalidArgumentError('status', 'must be APPROVED or REJECTED');
      }
      const status = req.status === judgev1.EscalationStatus.APPROVED ? 'APPROVED' : 'REJECTED';
      const e = await mapped(() =>
        judge.resolveEscalation(req.escalationId, status, req.resolvedBy || 'operator', req.note),
      );
      return create(judgev1.ResolveEscalationResponseSchema, { escalation: escalationMessage(e) });
    },
  };
}
