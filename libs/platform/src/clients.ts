import type { DescService } from '@bufbuild/protobuf';
import { createClient, type Client, type Interceptor } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { createGrpcJsTransport } from './grpc-js-transport';

export interface InternalClient<S extends DescService> {
  client: Client<S>;
  /** Close the HTTP/2 session. */
  close(): void;
}

/**
 * A client for another Nethical service over gRPC (HTTP/2, one multiplexed session with
 * keep-alive pings). Every call carries a deadline. Unary and server-streaming calls go through
 * @grpc/grpc-js, which measured ~1.5x the throughput of Connect's gRPC transport
 * (perf/RESULTS.md); client/bidi streams use Connect's transport. Interceptors (tracing) run on
 * either, so turning tracing on does not change the client.
 */
export function createInternalClient<S extends DescService>(
  service: S,
  baseUrl: string,
  /** `impl` is `NETHICAL_RPC_CLIENT` from the service's validated config. */
  options: { timeoutMs: number; interceptors?: Interceptor[]; impl: 'grpc-js' | 'connect' },
): InternalClient<S> {
  const sessionManager = new Http2SessionManager(baseUrl, {
    pingIntervalMs: 10_000,
    pingTimeoutMs: 5_000,
    idleConnectionTimeoutMs: 60_000,
  });
  const interceptors = options.interceptors ?? [];
  // With grpc-js, the interceptors run in its transport, around the streams it hands over too.
  const connect = createGrpcTransport({
    baseUrl,
    sessionManager,
    defaultTimeoutMs: options.timeoutMs,
    interceptors: options.impl === 'grpc-js' ? [] : interceptors,
  });
  if (options.impl !== 'grpc-js') return { client: createClient(service, connect), close: () => sessionManager.abort() };
  const grpcJs = createGrpcJsTransport(baseUrl, {
    streams: connect,
    defaultTimeoutMs: options.timeoutMs,
    interceptors,
  });
  return {
    client: createClient(service, grpcJs.transport),
    close: () => {
      grpcJs.close();
      sessionManager.abort();
    },
  };
}
