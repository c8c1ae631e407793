import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import * as grpc from '@grpc/grpc-js';
import { Decision, gatewayv1 } from '@nethical/contracts';
import { processActionRequest } from './rpc-sender';
import { isViolation, type ActionSender, type SendOutcome } from './sender';

export interface GrpcJsSenderOptions {
  /** Base URL of the gateway, e.g. `http://127.0.0.1:8000` (plaintext h2c). */
  endpoint: string;
  /** Separate channels, each with its own connection; requests go round-robin. */
  connections: number;
  timeoutMs: number;
  apiKey?: string | undefined;
}

const method = '/nethical.gateway.v1.GovernanceService/ProcessAction';
const serialize = (req: gatewayv1.ProcessActionRequest): Buffer =>
  Buffer.from(toBinary(gatewayv1.ProcessActionRequestSchema, req));
const deserialize = (bytes: Buffer): gatewayv1.ProcessActionResponse =>
  fromBinary(gatewayv1.ProcessActionResponseSchema, bytes);

/**
 * gRPC sender on `@grpc/grpc-js` with the generated protobuf-es codecs. Used for `--protocol grpc`
 * because it is the reference gRPC client and cheaper per call than Connect's async-iterable
 * pipeline (measured here: ≈0.78 vs ≈0.89 ms client CPU per call; plain HTTP ≈0.62 ms).
 * Status names follow Connect's `Code` (same numbers as gRPC), e.g. `ResourceExhausted`.
 */
export function createGrpcJsSender(options: GrpcJsSenderOptions): ActionSender {
  const target = new URL(options.endpoint).host;
  const clients = Array.from(
    { length: Math.max(1, options.connections) },
    // A local subchannel pool per client, or grpc-js would share one connection between them.
    () =>
      new grpc.Client(target, grpc.credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
      }),
  );
  const metadata = new grpc.Metadata();
  if (options.apiKey) metadata.set('authorization', `Bearer ${options.apiKey}`);
  let turn = 0;
  return {
    send(action, context) {
      const client = clients[turn++ % clients.length] as grpc.Client;
      return new Promise<SendOutcome>((resolve) => {
        client.makeUnaryRequest(
          method,
          serialize,
          deserialize,
          processActionRequest(action, context),
          metadata,
          { deadline: Date.now() + options.timeoutMs },
          (error, reply) => {
            if (error || !reply) {
              const code = error?.code ?? grpc.status.UNKNOWN;
              const status =
                code === grpc.status.DEADLINE_EXCEEDED ? 'timeout' : (Code[code] ?? String(code));
              resolve({
                ok: false,
                status,
                error: (error?.details ?? 'no reply').slice(0, 120),
                decision: '',
                violationDetected: false,
              });
              return;
            }
            const decision = Decision[reply.decision] ?? '';
            resolve({
              ok: true,
              status: 'OK',
              error: '',
              decision,
              violationDetected: isViolation(decision, reply.violations.length),
            });
          },
        );
      });
    },
    close: async () => {
      for (const client of clients) client.close();
    },
  };
}
