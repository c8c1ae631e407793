import { Pool } from 'undici';
import type { LoadAction } from '../action-generator';
import {
  classifyFailure,
  decisionName,
  isViolation,
  type ActionSender,
  type SendOutcome,
} from './sender';

export interface HttpSenderOptions {
  /** Base URL (`http://127.0.0.1:8000`) or full URL of the endpoint (`…/process_action`). */
  endpoint: string;
  /** Keep-alive connections in the pool. */
  connections: number;
  timeoutMs: number;
  apiKey?: string | undefined;
}

/** JSON body of `POST /process_action` for one action. */
export function processActionBody(action: LoadAction, context: Record<string, string>): string {
  return JSON.stringify({
    agent_id: action.agentId,
    tenant_id: action.tenantId,
    action: action.text,
    action_type: action.actionType,
    action_id: action.actionId,
    context,
  });
}

/** Sender for the gateway's plain JSON API over HTTP/1.1 keep-alive (undici Pool). */
export function createHttpSender(options: HttpSenderOptions): ActionSender {
  const url = new URL(options.endpoint);
  const path = url.pathname === '/' ? '/process_action' : url.pathname;
  const pool = new Pool(url.origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  return {
    async send(action, context): Promise<SendOutcome> {
      try {
        const response = await pool.request({
          path,
          method: 'POST',
          headers,
          body: processActionBody(action, context),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const text = await response.body.text();
        const status = String(response.statusCode);
        if (response.statusCode < 200 || response.statusCode >= 300) {
          return {
            ok: false,
            status,
            error: text.slice(0, 120).replace(/\s+/g, ' '),
            decision: '',
            violationDetected: false,
          };
        }
        const reply = JSON.parse(text) as { decision?: unknown; violations?: unknown };
        const decision = decisionName(reply.decision);
        const violations = Array.isArray(reply.violations) ? reply.violations.length : 0;
        return {
          ok: true,
          status,
          error: '',
          decision,
          violationDetected: isViolation(decision, violations),
        };
      } catch (error) {
        return { ok: false, ...classifyFailure(error), decision: '', violationDetected: false };
      }
    },
    close: () => pool.close(),
  };
}
