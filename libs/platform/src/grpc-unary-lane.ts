import {
  create,
  fromBinary,
  isMessage,
  toBinary,
  type DescMessage,
  type DescMethod,
  type DescService,
} from '@bufbuild/protobuf';
import {
  Code,
  ConnectError,
  createContextValues,
  type HandlerContext,
  type Interceptor,
  type UnaryRequest,
  type UnaryResponse,
} from '@connectrpc/connect';
import { parseTimeout, setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
import type http2 from 'node:http2';
import { chainInterceptors, handlerContext, type RegisteredService } from './grpc-js-server';

/**
 * A fast lane for unary gRPC calls on a server whose HTTP/2 connections connect-node serves (the
 * public gateway): a stream that is a plain unary gRPC call (POST, `application/grpc` or
 * `application/grpc+proto`, no compression, a registered unary method, a valid `grpc-timeout`)
 * is answered here, on the http2 stream itself; every other stream on the same connection
 * (Connect and gRPC-web over h2c, `application/grpc+json`, gzip, streaming methods such as
 * reflection, anything malformed in its headers) still goes to connect-node, which answers it
 * as before.
 *
 * Why hand-written: profiles of the gateway under gRPC load (`perf/RESULTS.md`, issue 17) put a
 * third of its CPU in connect-node's per-call machinery (two aborted AbortControllers, so two
 * DOMExceptions with stack traces, per call; async iterables for a single message; the http2
 * compat layer's request and response objects), and made gRPC ingress half as fast as JSON over
 * HTTP/1.1. @grpc/grpc-js, which the internal services use for the same reason, takes whole
 * connections and answers anything but gRPC with 415, so it cannot share a port's h2c
 * connections with Connect clients. What is written here is only the unary framing (a 5-byte
 * envelope each way, RFC-free but specified in gRPC's PROTOCOL-HTTP2.md); timeouts and the
 * status trailers use connect-es's own helpers (`parseTimeout`, `setTrailerStatus`), and the
 * service implementations and interceptors are the same ones connect-node runs, called with the
 * same `HandlerContext`, as `grpc-js-server.ts` does.
 */
export type GrpcUnaryLane = (
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
) => boolean;

export interface GrpcUnaryLaneOptions {
  services: RegisteredService[];
  /** Connect interceptors, outermost first (as given to connectNodeAdapter). */
  interceptors: Interceptor[];
  /** Largest request message accepted, bytes (the envelope's 5 bytes not counted). */
  readMaxBytes: number;
  /** Called when a call starts and when it ends (in-flight accounting for the drain). */
  onCallStart(): void;
  onCallEnd(): void;
}

interface LaneMethod {
  input: DescMessage;
  output: DescMessage;
  base: {
    stream: false;
    service: DescService;
    method: DescMethod;
    requestMethod: 'POST';
    url: string;
  };
  chain: (req: UnaryRequest) => Promise<UnaryResponse>;
}

/** Largest grpc-timeout accepted: any the header can write (8 digits of hours). */
const MAX_TIMEOUT_MS = Number.MAX_SAFE_INTEGER;
/** Largest delay setTimeout keeps (2^31 - 1 ms); a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const HEADER_SKIP =
  /^(:|content-type$|content-length$|te$|grpc-timeout$|grpc-encoding$|grpc-accept-encoding$)/;

/** Build the lane; it returns true for a stream it took (and will answer), false to pass it on. */
export function createGrpcUnaryLane(options: GrpcUnaryLaneOptions): GrpcUnaryLane {
  const methods = new Map<string, LaneMethod>();
  for (const { service, impl } of options.services) {
    for (const method of service.methods) {
      const fn = impl[method.localName] as
        ((m: unknown, ctx: HandlerContext) => unknown) | undefined;
      if (method.methodKind !== 'unary' || !fn) continue;
      const path = `/${service.typeName}/${method.name}`;
      methods.set(path, {
        input: method.input,
        output: method.output,
        base: { stream: false, service, method, requestMethod: 'POST', url: path },
        chain: chainInterceptors<UnaryRequest, UnaryResponse>(options.interceptors, async (req) => {
          const ctx = contextFor(req);
          const message = await fn.call(impl, req.message, ctx);
          return {
            stream: false,
            service,
            method,
            header: ctx.responseHeader,
            trailer: ctx.responseTrailer,
            message,
          } as unknown as UnaryResponse;
        }),
      });
    }
  }

  return (stream, headers) => {
    if (headers[':method'] !== 'POST') return false;
    const type = headers['content-type'];
    if (type !== 'application/grpc' && type !== 'application/grpc+proto') return false;
    const encoding = headers['grpc-encoding'];
    if (encoding !== undefined && encoding !== 'identity') return false;
    // An HTTP-level body encoding is refused (415) by the server's shared pre-RPC check.
    const bodyEncoding = headers['content-encoding'];
    if (bodyEncoding !== undefined && bodyEncoding !== '' && bodyEncoding !== 'identity')
      return false;
    const entry = methods.get(headers[':path'] ?? '');
    if (!entry) return false;
    const timeout = parseTimeout(single(headers['grpc-timeout']) ?? null, MAX_TIMEOUT_MS);
    if (timeout.error) return false;
    serve(stream, headers, entry, timeout.timeoutMs, options);
    return true;
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const DEADLINE = Symbol('deadline');
type LaneRequest = UnaryRequest & { [DEADLINE]?: number };

function contextFor(req: UnaryRequest): HandlerContext {
  const deadline = (req as LaneRequest)[DEADLINE];
  return handlerContext(req, () =>
    deadline === undefined ? undefined : Math.max(0, deadline - Date.now()),
  );
}

function serve(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  entry: LaneMethod,
  timeoutMs: number | undefined,
  options: GrpcUnaryLaneOptions,
): void {
  options.onCallStart();
  const controller = new AbortController();
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  const settle = (): boolean => {
    if (settled) return false;
    settled = true;
    if (timer) clearTimeout(timer);
    options.onCallEnd();
    return true;
  };
  const fail = (err: ConnectError): void => {
    if (!settle()) return;
    if (stream.destroyed || stream.headersSent) return;
    // Trailers-only response: the status travels in the (only) HEADERS frame.
    const out: http2.OutgoingHttpHeaders = { ':status': 200, 'content-type': 'application/grpc' };
    setTrailerStatus(new Headers(), err).forEach((value, key) => {
      out[key] = value;
    });
    stream.respond(out, { endStream: true });
  };
  // Beyond what a timer can hold (~24.8 days) setTimeout fires at once: such a deadline is none.
  if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS) {
    timer = setTimeout(() => {
      const err = new ConnectError('the operation timed out', Code.DeadlineExceeded);
      controller.abort(err);
      fail(err);
    }, timeoutMs);
  }
  // The client reset the stream or the connection went away before the answer.
  stream.once('close', () => {
    if (settle()) controller.abort(new ConnectError('call cancelled', Code.Canceled));
  });
  stream.on('error', () => undefined);

  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  stream.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > options.readMaxBytes + 5) {
      refused = true;
      chunks.length = 0;
      fail(
        new ConnectError(
          `message size is larger than configured readMaxBytes ${options.readMaxBytes}`,
          Code.ResourceExhausted,
        ),
      );
      return;
    }
    chunks.push(chunk);
  });
  stream.once('end', () => {
    if (refused || settled) return;
    let message: unknown;
    try {
      message = decodeEnvelope(
        entry.input,
        chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size),
      );
    } catch (err) {
      fail(
        err instanceof ConnectError
          ? err
          : new ConnectError('request: malformed', Code.InvalidArgument),
      );
      return;
    }
    const header = new Headers();
    for (const [key, value] of Object.entries(headers)) {
      if (value === undefined || HEADER_SKIP.test(key)) continue;
      if (Array.isArray(value)) for (const v of value) header.append(key, v);
      else header.set(key, value);
    }
    const req = {
      ...entry.base,
      signal: controller.signal,
      header,
      contextValues: createContextValues(),
      message,
      [DEADLINE]: timeoutMs === undefined ? undefined : Date.now() + timeoutMs,
    } as unknown as UnaryRequest;
    entry.chain(req).then(
      (res) => answer(stream, entry.output, res, settle),
      (err: unknown) =>
        fail(err instanceof ConnectError ? err : new ConnectError('internal error', Code.Internal)),
    );
  });
}

/** One enveloped message: flags (0: not compressed), 4-byte big-endian length, the message. */
function decodeEnvelope(input: DescMessage, body: Buffer): unknown {
  if (body.length < 5) {
    throw new ConnectError(
      body.length === 0
        ? 'protocol error: missing input message for unary method'
        : 'protocol error: incomplete envelope',
      Code.InvalidArgument,
    );
  }
  const flags = body[0]!;
  if ((flags & 0x01) !== 0) {
    throw new ConnectError(
      'received compressed envelope, but do not know how to decompress',
      Code.InvalidArgument,
    );
  }
  if (flags !== 0)
    throw new ConnectError(`protocol error: invalid envelope flags ${flags}`, Code.InvalidArgument);
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length)
    throw new ConnectError('protocol error: incomplete envelope', Code.InvalidArgument);
  if (body.length > 5 + length) {
    throw new ConnectError(
      'protocol error: received extra input message for unary method',
      Code.InvalidArgument,
    );
  }
  try {
    return fromBinary(input, body.subarray(5));
  } catch (e) {
    throw new ConnectError(
      `parse binary: ${e instanceof Error ? e.message : String(e)}`,
      Code.InvalidArgument,
    );
  }
}

function answer(
  stream: http2.ServerHttp2Stream,
  output: DescMessage,
  res: UnaryResponse,
  settle: () => boolean,
): void {
  if (!settle() || stream.destroyed) return;
  const message = isMessage(res.message, output)
    ? res.message
    : create(output, res.message as never);
  const bytes = toBinary(output, message as never);
  const frame = Buffer.allocUnsafe(5 + bytes.length);
  frame[0] = 0;
  frame.writeUInt32BE(bytes.length, 1);
  frame.set(bytes, 5);
  const out: http2.OutgoingHttpHeaders = { ':status': 200, 'content-type': 'application/grpc' };
  res.header.forEach((value, key) => {
    out[key] = value;
  });
  stream.respond(out, { waitForTrailers: true });
  stream.once('wantTrailers', () => {
    const trailers: http2.OutgoingHttpHeaders = { 'grpc-status': '0' };
    res.trailer.forEach((value, key) => {
      trailers[key] = value;
    });
    stream.sendTrailers(trailers);
  });
  stream.end(frame);
}
