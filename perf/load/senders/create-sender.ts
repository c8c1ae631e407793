import { createGrpcJsSender } from './grpc-js-sender';
import { createHttpSender } from './http-sender';
import { createRpcSender } from './rpc-sender';
import type { ActionSender, Protocol } from './sender';

export interface SenderOptions {
  protocol: Protocol;
  endpoint: string;
  connections: number;
  timeoutMs: number;
  /** Sent as `Authorization: Bearer <key>` when set (gateway NETHICAL_API_KEYS). */
  apiKey?: string | undefined;
}

/** The sender for a protocol: undici for http, grpc-js for grpc, connect-node for connect. */
export function createSender(options: SenderOptions): ActionSender {
  switch (options.protocol) {
    case 'http':
      return createHttpSender(options);
    case 'grpc':
      return createGrpcJsSender(options);
    case 'connect':
      return createRpcSender({ ...options, protocol: 'connect' });
  }
}
