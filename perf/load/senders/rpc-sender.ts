import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient, type Client, type Transport } from '@connectrpc/connect';
import {
  createConnectTransport,
  createGrpcTransport,
  Http2SessionManager,
} from '@connectrpc/connect-node';
import { ActionType, Decision, gatewayv1 } from '@nethical/contracts';
import type { LoadAction, LoadActionType } from '../action-generator';
import { classifyFailure, isViolation, type ActionSender, type SendOutcome } from './sender';

export interface RpcSenderOptions {
  /** Base URL of the gateway, e.g. `http://127.0.0.1:8000`. */
  endpoint: string;
  protocol: 'grpc' | 'connect';
  /** Separate HTTP/2 connections; requests are spread over them round-robin. */
  connections: number;
  timeoutMs: number;
  apiKey?: string | undefined;
}

const actionTypes: Record<LoadActionType, ActionType> = {
  message: ActionType.MESSAGE,
  response: ActionType.RESPONSE,
  tool_call: ActionType.TOOL_CALL,
  system_command: ActionType.SYSTEM_COMMAND,
  data_access: ActionType.DATA_ACCESS,
};

/** The `ProcessActionRequest` for one action. */
export function processActionRequest(
  action: LoadAction,
  context: Record<string, string>,
): gatewayv1.ProcessActionRequest {
  return create(gatewayv1.ProcessActionRequestSchema, {
    agentId: action.agentId,
    tenantId: action.tenantId,
    action: action.text,
    actionType: actionTypes[action.actionType],
    actionId: action.actionId,
    context,
  });
}

/**
 * Sender for `GovernanceService/ProcessAction` over gRPC or the Connect protocol (both HTTP/2,
 * binary protobuf). Each transport owns one HTTP/2 session, so `connections` transports give
 * that many TCP connections.
 */
export function createRpcSender(options: RpcSenderOptions): ActionSender {
  // Own session managers, so close() can end the HTTP/2 sessions instead of waiting for idle.
  const sessions: Http2SessionManager[] = [];
  const makeTransport = (): Transport => {
    const sessionManager = new Http2SessionManager(options.endpoint);
    sessions.push(sessionManager);
    return options.protocol === 'grpc'
      ? createGrpcTransport({ baseUrl: options.endpoint, sessionManager })
      : createConnectTransport({
          baseUrl: options.endpoint,
          httpVersion: '2',
          useBinaryFormat: true,
          sessionManager,
        });
  };
  const clients: Client<typeof gatewayv1.GovernanceService>[] = Array.from(
    { length: Math.max(1, options.connections) },
    () => createClient(gatewayv1.GovernanceService, makeTransport()),
  );
  const headers: Record<string, string> = options.apiKey
    ? { authorization: `Bearer ${options.apiKey}` }
    : {};
  let turn = 0;
  return {
    async send(action, context): Promise<SendOutcome> {
      const client = clients[turn++ % clients.length] as Client<typeof gatewayv1.GovernanceService>;
      try {
        const reply = await client.processAction(processActionRequest(action, context), {
          timeoutMs: options.timeoutMs,
          headers,
        });
        const decision = Decision[reply.decision] ?? '';
        return {
          ok: true,
          status: 'OK',
          error: '',
          decision,
          violationDetected: isViolation(decision, reply.violations.length),
        };
      } catch (error) {
        if (error instanceof ConnectError) {
          const status = error.code === Code.DeadlineExceeded ? 'timeout' : Code[error.code];
          return {
            ok: false,
            status,
            error: error.rawMessage.slice(0, 120),
            decision: '',
            violationDetected: false,
          };
        }
        return { ok: false, ...classifyFailure(error), decision: '', violationDetected: false };
      }
    },
    close: async () => {
      for (const session of sessions) session.abort();
    },
  };
}
