import { create, fromBinary, isMessage, toBinary, type DescMessage, type DescService } from '@bufbuild/protobuf';
import {
  Code,
  ConnectError,
  createContextValues,
  type ConnectRouter,
  type HandlerContext,
  type Interceptor,
  type StreamRequest,
  type StreamResponse,
  type UnaryRequest,
  type UnaryResponse,
} from '@connectrpc/connect';
import * as grpc from '@grpc/grpc-js';
import type { Readable } from 'node:stream';

/**
 * The gRPC side of an internal service on @grpc/grpc-js's server instead of connect-node.
 *
 * Why: the per-call cost of connect-node's server (AbortSignal + DOMException per call, async
 * iterables for unary calls, the http2 compat layer) dominated the internal services' CPU.
 * `perf/rpc/server-cost.ts` measured 0.27–0.46 ms of server CPU per unary call for the platform
 * server against 0.04–0.08 ms for grpc-js, with the same message and client.
 *
 * The service implementations stay Connect `ServiceImpl`s and the Connect interceptors (metrics,
 * error mapping, tracing) still wrap every call: this adapter calls them directly with a
 * `HandlerContext`, so a handler cannot tell which server ran it. Only the gRPC protocol is
 * served here (cleartext HTTP/2 connections handed over by the port's sniffer); HTTP/1.1 (Connect,
 * gRPC-web, /readyz, /metrics) stays on connect-node.
 */

/** One service and its implementation, as registered on a Connect router. */
export interface RegisteredService {
  service: DescService;
  impl: Record<string, unknown>;
}

/** Run `routes` against a recording router and return what it registered. */
export function collectServices(routes: (router: ConnectRouter) => void): RegisteredService[] {
  const out: RegisteredService[] = [];
  const router = {
    handlers: [],
    service(service: DescService, impl: Record<string, unknown>) {
      out.push({ service, impl });
      return router;
    },
    rpc() {
      throw new Error('router.rpc() is not supported by the grpc-js server; register whole services');
    },
  };
  routes(router as unknown as ConnectRouter);
  return out;
}

export interface GrpcJsServerOptions {
  services: RegisteredService[];
  /** Connect interceptors, outermost first (as given to connectNodeAdapter). */
  interceptors: Interceptor[];
  readMaxBytes: number;
  /** Called when a call starts and when it ends (in-flight accounting for the drain). */
  onCallStart(): void;
  onCallEnd(): void;
}

type AnyFn = (...args: unknown[]) => unknown;
/** What every grpc-js server call has. */
type SurfaceCall = grpc.ServerUnaryCall<unknown, unknown>;

function headersFrom(metadata: grpc.Metadata): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (typeof value === 'string') headers.set(key, value);
  }
  return headers;
}

function metadataFrom(headers: Headers): grpc.Metadata {
  const md = new grpc.Metadata();
  headers.forEach((value, key) => {
    if (!key.endsWith('-bin')) md.set(key, value);
  });
  return md;
}

/** Any error → a gRPC status object (the codes share their numbers with Connect's). */
function statusOf(err: unknown): Partial<grpc.StatusObject> {
  const e = err instanceof ConnectError ? err : new ConnectError('internal error', Code.Internal);
  return { code: e.code as number as grpc.status, details: e.rawMessage, metadata: metadataFrom(e.metadata) };
}

function deadlineMs(call: SurfaceCall): number | undefined {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? Math.max(0, ms - Date.now()) : undefined;
}

/**
 * The handler's context for a request the interceptors passed on (its values are the request's),
 * as connect-node builds it; shared with the unary lane (`grpc-unary-lane.ts`).
 */
export function handlerContext(req: UnaryRequest | StreamRequest, timeoutMs: () => number | undefined): HandlerContext {
  return {
    service: req.service,
    method: req.method,
    signal: req.signal,
    timeoutMs,
    requestMethod: 'POST',
    requestHeader: req.header,
    responseHeader: new Headers(),
    responseTrailer: new Headers(),
    protocolName: 'grpc',
    values: req.contextValues,
    url: req.url,
  };
}

function contextFor(req: UnaryRequest | StreamRequest): HandlerContext {
  const timeout = deadlineMs(callOf(req));
  return handlerContext(req, () => timeout);
}

/** A handler wrapped in Connect interceptors, outermost first (the order connect-node applies). */
export function chainInterceptors<Req extends UnaryRequest | StreamRequest, Res extends UnaryResponse | StreamResponse>(
  interceptors: Interceptor[],
  inner: (req: Req) => Promise<Res>,
): (req: Req) => Promise<Res> {
  return interceptors.reduceRight<(req: Req) => Promise<Res>>((next, interceptor) => interceptor(next as never) as never, inner);
}

/**
 * Readable side of a grpc-js duplex as an async iterable of messages. `destroyOnReturn: false`:
 * the default iterator destroys the whole duplex when the client half-closes, which would kill
 * the response side before the handler has answered.
 */
async function* messagesOf<T>(stream: Readable): AsyncIterable<T> {
  for await (const m of stream.iterator({ destroyOnReturn: false })) yield m as T;
}

export function createGrpcJsServer(options: GrpcJsServerOptions): grpc.Server {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.readMaxBytes,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    // Channelz keeps per-call counters, timestamps and trace events for an API nothing here
    // serves; they were a fifth of what each call allocated (`perf/rpc/judge-load.ts`).
    'grpc.enable_channelz': 0,
  });
  for (const { service, impl } of options.services) {
    const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const method of service.methods) {
      const fn = impl[method.localName] as AnyFn | undefined;
      const input = method.input as DescMessage;
      const output = method.output as DescMessage;
      const requestStream = method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming';
      const responseStream = method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming';
      definition[method.localName] = {
        path: `/${service.typeName}/${method.name}`,
        requestStream,
        responseStream,
        requestSerialize: (m: unknown) => Buffer.from(toBinary(input, m as never)),
        requestDeserialize: (b: Buffer) => fromBinary(input, b),
        responseSerialize: (m: unknown) => Buffer.from(toBinary(output, (isMessage(m, output) ? m : create(output, m as never)) as never)),
        responseDeserialize: (b: Buffer) => fromBinary(output, b),
      };
      if (!fn) {
        handlers[method.localName] = (call: SurfaceCall, cb?: grpc.sendUnaryData<unknown>) => {
          const status = { code: grpc.status.UNIMPLEMENTED, details: `${service.typeName}.${method.name} is not implemented` };
          if (cb) cb(status, null);
          else (call as grpc.ServerWritableStream<unknown, unknown>).emit('error', Object.assign(new Error(status.details), status));
        };
        continue;
      }
      const base = {
        stream: false as const,
        service,
        method,
        requestMethod: 'POST',
        url: `/${service.typeName}/${method.name}`,
      };
      if (!requestStream && !responseStream) {
        const chain = chainInterceptors<UnaryRequest, UnaryResponse>(options.interceptors, async (req) => {
          const ctx = contextFor(req);
          const message = await fn.call(impl, req.message, ctx);
          return { stream: false, service, method, header: ctx.responseHeader, trailer: ctx.responseTrailer, message } as unknown as UnaryResponse;
        });
        handlers[method.localName] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
          options.onCallStart();
          const controller = new AbortController();
          let answered = false;
          // grpc-js also reports 'cancelled' when the client resets the stream after reading the
          // answer; only a call still running is aborted (an abort builds two error objects).
          call.once('cancelled', () => {
            if (!answered) controller.abort(new ConnectError('call cancelled', Code.Canceled));
          });
          const req = { ...base, signal: controller.signal, header: headersFrom(call.metadata), contextValues: createContextValues(), message: call.request, [CALL]: call } as unknown as UnaryRequest;
          chain(req)
            .then(
              (res) => {
                answered = true;
                if (hasEntries(res.header)) call.sendMetadata(metadataFrom(res.header));
                callback(null, res.message, hasEntries(res.trailer) ? metadataFrom(res.trailer) : undefined);
              },
              (err: unknown) => {
                answered = true;
                callback(statusOf(err), null);
              },
            )
            .finally(options.onCallEnd);
        };
        continue;
      }
      // Streaming calls (health Watch, reflection, TailRecords).
      const chain = chainInterceptors<StreamRequest, StreamResponse>(options.interceptors, async (req) => {
        const ctx = contextFor(req);
        const arg = requestStream ? req.message : await first(req.message);
        const result = fn.call(impl, arg, ctx) as AsyncIterable<unknown> | Promise<unknown>;
        const message = responseStream
          ? (result as AsyncIterable<unknown>)
          : (async function* () {
              yield await result;
            })();
        return { stream: true, service, method, header: ctx.responseHeader, trailer: ctx.responseTrailer, message } as unknown as StreamResponse;
      });
      handlers[method.localName] = (call: SurfaceCall, callback?: grpc.sendUnaryData<unknown>) => {
        options.onCallStart();
        const controller = new AbortController();
        call.once('cancelled', () => controller.abort(new ConnectError('call cancelled', Code.Canceled)));
        const requests = requestStream
          ? messagesOf(call as unknown as Readable)
          : (async function* () {
              yield (call as grpc.ServerWritableStream<unknown, unknown>).request;
            })();
        const req = { ...base, stream: true, signal: controller.signal, header: headersFrom(call.metadata), contextValues: createContextValues(), message: requests, [CALL]: call } as unknown as StreamRequest;
        const writable = call as unknown as grpc.ServerWritableStream<unknown, unknown>;
        (async () => {
          const res = await chain(req);
          if (hasEntries(res.header)) call.sendMetadata(metadataFrom(res.header));
          if (!responseStream && callback) {
            let out: unknown;
            for await (const m of res.message) out = m;
            callback(null, out, hasEntries(res.trailer) ? metadataFrom(res.trailer) : undefined);
            return;
          }
          for await (const m of res.message) {
            if (controller.signal.aborted) break;
            if (!writable.write(m)) await new Promise((r) => writable.once('drain', r));
          }
          writable.end(hasEntries(res.trailer) ? metadataFrom(res.trailer) : undefined);
        })()
          .catch((err: unknown) => {
            if (controller.signal.aborted) return;
            const status = statusOf(err);
            if (callback) callback(status, null);
            // grpc-js sends a stream's status when 'error' is emitted on it (destroy() would drop it).
            else writable.emit('error', Object.assign(new Error(status.details), status));
          })
          .finally(options.onCallEnd);
      };
    }
    server.addService(definition as grpc.ServiceDefinition, handlers);
  }
  return server;
}

const CALL = Symbol('grpc-js call');
function callOf(req: UnaryRequest | StreamRequest): SurfaceCall {
  return (req as unknown as Record<symbol, SurfaceCall>)[CALL] as SurfaceCall;
}

function hasEntries(headers: Headers): boolean {
  for (const _ of headers.keys()) return true;
  return false;
}

async function first<T>(messages: AsyncIterable<T>): Promise<T> {
  for await (const m of messages) return m;
  throw new ConnectError('no request message', Code.InvalidArgument);
}
