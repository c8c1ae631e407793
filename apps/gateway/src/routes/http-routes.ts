import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Decision, gatewayv1, judgev1 } from '@nethical/contracts';
import {
  BodyTooLargeError,
  httpStatusOf,
  AlreadyExistsError,
  InvalidArgumentError,
  PayloadTooLargeError,
  QuotaExceededError,
  sendJson,
  sendText,
  toConnectError,
  codeName,
  readBody,
  type HttpRoute,
  type NodeRequest,
  type NodeResponse,
  type Logger,
} from '@nethical/platform';
import { validateActionRequest, type ValidationLimits } from '../domain/action-request';
import type { AccessLevel, Authenticator } from '../domain/auth';
import type { ActionProcessor } from '../domain/process-action';
import type { StatsPublisher } from '../domain/published-stats';
import {
  auditRecordJson,
  consistencyJson,
  escalationJson,
  inclusionJson,
  processActionJson,
  quarantineJson,
} from '../adapters/json-view';
import type { OperatorPorts } from './operator-ports';

export interface HttpDeps {
  processAction: ActionProcessor;
  limits: ValidationLimits;
  /** Deadline of one plain HTTP action (NETHICAL_HTTP_DEADLINE_MS). */
  deadlineMs: number;
  ops: OperatorPorts;
  auth: Authenticator;
  logger: Logger;
  health: () => Promise<Record<string, unknown> & { ready: boolean }>;
  stats: StatsPublisher;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * RateLimit header fields (IETF draft-ietf-httpapi-ratelimit-headers-09): the policy of the
 * tightest limit and what is left of it; `t` is seconds until a retry can succeed when denied,
 * until the limit is full again when allowed.
 */
export function rateLimitHeaders(q: {
  limitName: string;
  limit: number;
  remaining: number;
  windowSeconds: number;
  resetAfterSeconds: number;
  retryAfterSeconds: number;
  allowed: boolean;
}): Record<string, string> {
  if (!q.limitName) return {};
  const name = q.limitName.replace(/["\\]/g, '');
  const t = Math.max(0, Math.ceil(q.allowed ? q.resetAfterSeconds : q.retryAfterSeconds));
  return {
    'ratelimit-policy': `"${name}";q=${q.limit};w=${Math.max(1, Math.ceil(q.windowSeconds))}`,
    ratelimit: `"${name}";r=${q.remaining};t=${t}`,
  };
}

/** Write an error as `{code, message}` with the HTTP status of its gRPC code. */
export function sendError(res: NodeResponse, err: unknown, logger: Logger): void {
  const status = httpStatusOf(err);
  const ce = toConnectError(err);
  if (status >= 500) logger.error({ err }, 'request failed');
  const headers: Record<string, string> = {};
  let body: Record<string, unknown> = { code: codeName(ce.code), message: ce.rawMessage };
  if (err instanceof InvalidArgumentError || err instanceof AlreadyExistsError) body.field = err.field;
  if (err instanceof PayloadTooLargeError) body = { code: 'payload_too_large', message: err.message, field: err.field, limit_bytes: err.limitBytes };
  if (err instanceof QuotaExceededError) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterSeconds)));
    Object.assign(
      headers,
      rateLimitHeaders({ ...err, allowed: false }),
    );
    body.retry_after_seconds = err.retryAfterSeconds;
    body.limit = err.limitName;
  }
  if (status === 503) headers['retry-after'] = '1';
  sendJson(res, status, body, headers);
}

const headerGetter = (req: NodeRequest) => ({
  get: (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  },
});

function guarded(auth: Authenticator, level: AccessLevel, logger: Logger, fn: HttpRoute['handler']): HttpRoute['handler'] {
  return async (req, res, params, query) => {
    try {
      auth.check(level, headerGetter(req));
      await fn(req, res, params, query);
    } catch (err) {
      if (!res.headersSent) sendError(res, err, logger);
      else res.end();
    }
  };
}

function uintParam(query: URLSearchParams, name: string, required: boolean): bigint {
  const raw = query.get(name);
  if (raw === null || raw === '') {
    if (required) throw new InvalidArgumentError(name, 'is required');
    return 0n;
  }
  if (!/^\d{1,19}$/.test(raw)) throw new InvalidArgumentError(name, 'must be a non-negative integer');
  return BigInt(raw);
}

function timeParam(query: URLSearchParams, name: string) {
  const raw = query.get(name);
  if (!raw) return undefined;
  const d = new Date(raw);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError(name, 'must be an ISO-8601 time');
  return timestampFromDate(d);
}

/** The gateway's plain HTTP API (documented in docs/api.md). */
export function gatewayHttpRoutes(deps: HttpDeps): HttpRoute[] {
  const { auth, logger, ops } = deps;
  const bodyLimit = deps.limits.maxPayloadBytes + 64 * 1024;

  const processAction: HttpRoute['handler'] = async (req, res) => {
    const started = Date.now();
    let raw: Buffer;
    try {
      raw = await readBody(req, bodyLimit);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        throw new PayloadTooLargeError('body', deps.limits.maxPayloadBytes, Number(req.headers['content-length']) || bodyLimit + 1);
      }
      throw err;
    }
    let text: string;
    try {
      text = utf8.decode(raw);
    } catch {
      throw new InvalidArgumentError('body', 'is not valid UTF-8');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InvalidArgumentError('body', `malformed JSON: ${(err as Error).message}`);
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) {
      throw new InvalidArgumentError('body', 'must be a JSON object');
    }
    const input = validateActionRequest(json as Record<string, unknown>, deps.limits);
    // A client that hangs up cancels the work still to do (the next internal call is not made).
    const gone = new AbortController();
    const onClose = () => {
      if (!res.writableEnded) gone.abort();
    };
    res.once('close', onClose);
    const { response, quota } = await deps.processAction(input, {
      signal: gone.signal,
      deadline: started + deps.deadlineMs,
      header: headerGetter(req).get,
    });
    res.off('close', onClose);
    const headers = quota
      ? rateLimitHeaders({ ...quota, limit: Number(quota.limit), remaining: Number(quota.remaining) })
      : {};
    sendJson(res, 200, processActionJson(response), headers);
  };

  const escalationStatus = (raw: string | null): judgev1.EscalationStatus => {
    if (!raw) return judgev1.EscalationStatus.UNSPECIFIED;
    const s = judgev1.EscalationStatus[raw.toUpperCase() as keyof typeof judgev1.EscalationStatus];
    if (s === undefined) throw new InvalidArgumentError('status', 'must be PENDING, APPROVED or REJECTED');
    return s;
  };

  const jsonBody = async (req: NodeRequest): Promise<Record<string, unknown>> => {
    const raw = await readBody(req, 64 * 1024);
    if (raw.length === 0) return {};
    try {
      const v: unknown = JSON.parse(utf8.decode(raw));
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* reported below */
    }
    throw new InvalidArgumentError('body', 'must be a JSON object');
  };

  return [
    {
      method: 'GET',
      path: '/health',
      probe: true,
      handler: async (_req, res) => {
        const h = await deps.health();
        sendJson(res, h.ready ? 200 : 503, { status: h.ready ? 'healthy' : 'unhealthy', ...h });
      },
    },
    { method: 'POST', path: '/process_action', handler: guarded(auth, 'agent', logger, processAction) },
    {
      method: 'GET',
      path: '/v1/stats/decisions',
      handler: guarded(auth, 'operator', logger, (_req, res) => sendJson(res, 200, deps.stats.publish())),
    },
    {
      method: 'GET',
      path: '/v1/audit/:actionId',
      handler: guarded(auth, 'operator', logger, async (_req, res, { actionId = '' }) => {
        const record = await ops.getAudit(actionId);
        if (!record) return sendJson(res, 404, { code: 'not_found', message: `action_id: no audit record for ${actionId}` });
        sendJson(res, 200, auditRecordJson(record));
      }),
    },
    {
      method: 'GET',
      path: '/v1/audit',
      handler: guarded(auth, 'operator', logger, async (_req, res, _p, query) => {
        const decisionRaw = query.get('decision');
        let decision = Decision.UNSPECIFIED;
        if (decisionRaw) {
          const d = Decision[decisionRaw.toUpperCase().replace(/^DECISION_/, '') as keyof typeof Decision];
          if (d === undefined) throw new InvalidArgumentError('decision', `unknown decision ${decisionRaw}`);
          decision = d;
        }
        const pageSize = Number(uintParam(query, 'page_size', false));
        const out = await ops.listAudit(
          create(gatewayv1.ListAuditRecordsRequestSchema, {
            agentId: query.get('agent_id') ?? '',
            since: timeParam(query, 'since'),
            until: timeParam(query, 'until'),
            decision,
            pageSize,
            pageToken: query.get('page_token') ?? '',
          }),
        );
        sendJson(res, 200, { records: out.records.map(auditRecordJson), next_page_token: out.nextPageToken || null });
      }),
    },
    {
      method: 'GET',
      path: '/v1/merkle/checkpoint',
      handler: guarded(auth, 'public', logger, async (_req, res) => {
        sendText(res, 200, (await ops.checkpoint()).note);
      }),
    },
    {
      method: 'GET',
      path: '/v1/merkle/key',
      handler: guarded(auth, 'public', logger, async (_req, res) => {
        sendText(res, 200, `${(await ops.checkpoint()).verifierKey}\n`);
      }),
    },
    {
      method: 'GET',
      path: '/v1/merkle/inclusion',
      handler: guarded(auth, 'public', logger, async (_req, res, _p, query) => {
        const actionId = query.get('action_id') ?? '';
        const index = uintParam(query, 'index', !actionId);
        const proof = await ops.inclusion(index, uintParam(query, 'tree_size', false), actionId);
        sendJson(res, 200, inclusionJson(proof));
      }),
    },
    {
      method: 'GET',
      path: '/v1/merkle/consistency',
      handler: guarded(auth, 'public', logger, async (_req, res, _p, query) => {
        const proof = await ops.consistency(uintParam(query, 'first', true), uintParam(query, 'second', true));
        sendJson(res, 200, consistencyJson(proof));
      }),
    },
    {
      method: 'GET',
      path: '/v1/admin/quarantine',
      handler: guarded(auth, 'operator', logger, async (_req, res) => {
        const out = await ops.judge.listQuarantined({});
        sendJson(res, 200, { entries: out.entries.map(quarantineJson) });
      }),
    },
    {
      method: 'POST',
      path: '/v1/admin/agents/:agentId/quarantine',
      handler: guarded(auth, 'operator', logger, async (req, res, { agentId = '' }) => {
        const body = await jsonBody(req);
        const duration = body.duration_seconds ?? 0;
        if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 0) {
          throw new InvalidArgumentError('duration_seconds', 'must be a non-negative integer');
        }
        if (body.reason !== undefined && typeof body.reason !== 'string') throw new InvalidArgumentError('reason', 'must be a string');
        const out = await ops.judge.quarantineAgent({ agentId, reason: (body.reason as string) ?? '', durationSeconds: duration });
        sendJson(res, 200, { entry: out.entry ? quarantineJson(out.entry) : null });
      }),
    },
    {
      method: 'POST',
      path: '/v1/admin/agents/:agentId/release',
      handler: guarded(auth, 'operator', logger, async (_req, res, { agentId = '' }) => {
        const out = await ops.judge.releaseAgent({ agentId });
        sendJson(res, 200, { released: out.released });
      }),
    },
    {
      method: 'GET',
      path: '/v1/admin/escalations',
      handler: guarded(auth, 'operator', logger, async (_req, res, _p, query) => {
        const out = await ops.judge.listEscalations({ status: escalationStatus(query.get('status')) });
        sendJson(res, 200, { escalations: out.escalations.map(escalationJson) });
      }),
    },
    {
      method: 'POST',
      path: '/v1/admin/escalations/:escalationId/resolve',
      handler: guarded(auth, 'operator', logger, async (req, res, { escalationId = '' }) => {
        const body = await jsonBody(req);
        const status = escalationStatus(typeof body.status === 'string' ? body.status : null);
        if (status !== judgev1.EscalationStatus.APPROVED && status !== judgev1.EscalationStatus.REJECTED) {
          throw new InvalidArgumentError('status', 'must be APPROVED or REJECTED');
        }
        const out = await ops.judge.resolveEscalation({
          escalationId,
          status,
          resolvedBy: typeof body.resolved_by === 'string' ? body.resolved_by : '',
          note: typeof body.note === 'string' ? body.note : '',
        });
        sendJson(res, 200, { escalation: out.escalation ? escalationJson(out.escalation) : null });
      }),
    },
  ];
}
