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

/** The sender for a protocol. */
export function createSender(options: SenderOptions): ActionSender {
  return options.protocol === 'http'
    ? createHttpSender(options)
    : createRpcSender({ ...options, protocol: options.protocol });
}
