import type { DescService } from '@bufbuild/protobuf';
import { createClient, type Client, type Interceptor } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';

export interface InternalClient<S extends DescService> {
  client: Client<S>;
  /** Close the HTTP/2 session. */
  close(): void;
}

/**
 * A client for another Nethical service over gRPC (HTTP/2, one multiplexed session with
 * keep-alive pings). Every call carries a deadline.
 */
export function createInternalClient<S extends DescService>(
  service: S,
  baseUrl: string,
  options: { timeoutMs: number; interceptors?: Interceptor[] },
): InternalClient<S> {
  const sessionManager = new Http2SessionManager(baseUrl, {
    pingIntervalMs: 10_000,
    pingTimeoutMs: 5_000,
    idleConnectionTimeoutMs: 60_000,
  });
  const transport = createGrpcTransport({
    baseUrl,
    sessionManager,
    defaultTimeoutMs: options.timeoutMs,
    interceptors: options.interceptors ?? [],
  });
  return { client: createClient(service, transport), close: () => sessionManager.abort() };
}
