import type { DescService } from '@bufbuild/protobuf';
import type { ConnectRouter, Interceptor } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { Health } from './health';
import { healthService } from './health';
import { healthv1 } from '@nethical/contracts';
import {
  sendJson,
  sendText,
  type HttpRoute,
  type NodeRequest,
  type NodeResponse,
} from './http-routes';
import { createHttpRouter } from './http-router';
import type { CorsHandler } from './cors';
import { admissionInterceptor, createAdmission, probeServices, type Admission } from './admission';
import type { Logger } from './logger';
import { metricsInterceptor, type ServiceMetrics } from './metrics';
import { registerReflection } from './reflection';
import { traceHttpRoutes } from './telemetry';
import { errorMappingInterceptor } from './errors';
import { collectServices, createGrpcJsServer } from './grpc-js-server';
import { createGrpcUnaryLane } from './grpc-unary-lane';

export interface ServerOptions {
  name: string;
  host: string;
  port: number;
  /** RPC services served (for reflection and health names). */
  services: DescService[];
  /** Registers the service implementations. */
  routes: (router: ConnectRouter) => void;
  /** Plain HTTP routes, matched before RPC paths. */
  httpRoutes?: HttpRoute[];
  health: Health;
  metrics: ServiceMetrics;
  logger: Logger;
  interceptors?: Interceptor[];
  /** Largest RPC message accepted, bytes. */
  readMaxBytes?: number;
  /**
   * Who serves cleartext HTTP/2 connections: `connect` (connect-node: gRPC, gRPC-web and
   * Connect; the default, and what the public gateway uses) or `grpc-js` (@grpc/grpc-js: gRPC
   * only, several times cheaper per call; internal services, `NETHICAL_GRPC_SERVER`). HTTP/1.1
   * always goes to connect-node and the plain HTTP routes.
   */
  h2Server?: 'connect' | 'grpc-js';
  /**
   * With `h2Server: 'connect'`: answer plain unary gRPC calls on h2c in `grpc-unary-lane.ts`
   * instead of connect-node (everything else on the connection still goes to connect-node).
   * Default true (`NETHICAL_GRPC_UNARY_LANE`).
   */
  grpcUnaryLane?: boolean;
  /**
   * Bounds the requests worked on at once (RPCs other than health and reflection, and the plain
   * HTTP routes other than the built-in probes); the excess gets 503 / UNAVAILABLE at once.
   */
  admission?: Admission;
  /** Shorthand for `admission`: a limit of requests worked on at once (internal services). */
  maxInFlight?: number;
  /** CORS for browsers on other origins (`createCors`): headers on every answer, preflights answered. */
  cors?: CorsHandler;
}

export interface RunningServer {
  /** Bound port (useful with port 0). */
  port: number;
  /** Stop accepting, let in-flight requests finish until the deadline, then cut the rest. */
  close(deadlineMs: number): Promise<void>;
}

/**
 * Requests connect-node would answer with a 5xx although the client is at fault: a
 * bidirectional stream over HTTP/1.1 (505) and a body compressed with an encoding the server
 * does not accept (501; request compression is off, see acceptCompression). They get a 4xx
 * naming the problem instead.
 */
function refuseBeforeRpc(
  req: NodeRequest,
  bidiPaths: Set<string>,
): { status: number; code: string; message: string } | undefined {
  const path = (req.url ?? '').split('?', 1)[0] ?? '';
  if (req.httpVersionMajor === 1 && bidiPaths.has(path)) {
    return {
      status: 400,
      code: 'invalid_argument',
      message: `${path} is a bidirectional stream: call it over HTTP/2 (h2c)`,
    };
  }
  for (const header of ['content-encoding', 'connect-content-encoding']) {
    const value = req.headers[header];
    if (typeof value === 'string' && value !== '' && value.toLowerCase() !== 'identity') {
      return {
        status: 415,
        code: 'invalid_argument',
        message: `${header}: ${JSON.stringify(value.slice(0, 32))} is not accepted; send the body uncompressed`,
      };
    }
  }
  return undefined;
}

/**
 * One port for everything: gRPC, gRPC-web and Connect (connect-node), grpc.health.v1, server
 * reflection, `/healthz`, `/readyz`, `/metrics`, and the service's plain HTTP routes. Serves
 * HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge, as gRPC clients speak it) by looking
 * at the first bytes of each connection: Node has no built-in h1+h2c server. With
 * `h2Server: 'grpc-js'` the h2c connections go to @grpc/grpc-js (`grpc-js-server.ts`) instead.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { health, metrics, logger } = options;
  // The service implementations are built once and registered on both servers.
  const registered = collectServices((router) => {
    options.routes(router);
    router.service(
      healthv1.Health,
      healthService(
        health,
        options.services.map((s) => s.typeName),
      ),
    );
    registerReflection(router, [...options.services, healthv1.Health]);
  });
  const routes = (router: ConnectRouter) => {
    for (const { service, impl } of registered) router.service(service, impl as never);
  };
  const admission =
    options.admission ??
    (options.maxInFlight !== undefined
      ? createAdmission({ maxInFlight: options.maxInFlight, registry: metrics.registry })
      : undefined);
  const interceptors = [
    metricsInterceptor(metrics),
    ...(admission ? [admissionInterceptor(admission, probeServices)] : []),
    errorMappingInterceptor((err, procedure) => logger.error({ err, procedure }, 'rpc failed')),
    ...(options.interceptors ?? []),
  ];
  const readMaxBytes = options.readMaxBytes ?? 4 * 1024 * 1024;
  let inFlight = 0;
  /** What the gRPC servers beside connect-node need: the services, their limits, in-flight counting. */
  const rpcServing = {
    services: registered,
    interceptors,
    readMaxBytes,
    onCallStart: () => {
      inFlight += 1;
    },
    onCallEnd: () => {
      inFlight -= 1;
    },
  };
  const grpcJs = options.h2Server === 'grpc-js' ? createGrpcJsServer(rpcServing) : undefined;
  const injector = grpcJs?.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const rpcHandler = connectNodeAdapter({
    routes,
    interceptors,
    readMaxBytes,
    grpc: true,
    grpcWeb: true,
    connect: true,
    // No response compression: traffic is loopback or LAN, and gzip on every Append echo and
    // TailRecords batch showed up in CPU profiles. A proxy in front can compress for the WAN.
    acceptCompression: [],
  });

  const builtIn: HttpRoute[] = [
    {
      method: 'GET',
      path: '/healthz',
      handler: (_q, res) => sendJson(res, 200, { status: 'alive' }),
    },
    {
      method: 'GET',
      path: '/readyz',
      handler: async (_q, res) => {
        const { ready, components } = await health.check();
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', components });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_q, res) =>
        sendText(res, 200, await metrics.registry.metrics(), metrics.registry.contentType),
    },
  ];
  const probes = new Set(builtIn);
  const bidiPaths = new Set(
    registered.flatMap(({ service }) =>
      service.methods
        .filter((m) => m.methodKind === 'bidi_streaming')
        .map((m) => `/${service.typeName}/${m.name}`),
    ),
  );
  const route = createHttpRouter([...builtIn, ...traceHttpRoutes(options.httpRoutes ?? [])]);

  /** A plain route's answer; whatever it throws becomes a 500 here, never an exit. */
  const runRoute = async (
    r: HttpRoute,
    req: NodeRequest,
    res: NodeResponse,
    params: Record<string, string>,
    query: URLSearchParams,
  ) => {
    const release =
      admission && !probes.has(r) && !r.probe ? admission.tryAcquire(r.path) : () => undefined;
    if (!release) {
      const s = admission!.retryAfterSeconds;
      sendJson(
        res,
        503,
        { code: 'unavailable', message: `server overloaded; retry after ${s} s` },
        { 'retry-after': String(s) },
      );
      return;
    }
    try {
      await r.handler(req, res, params, query);
    } catch (err) {
      logger.error({ err, path: r.path }, 'http route failed');
      if (!res.headersSent) sendJson(res, 500, { code: 'internal', message: 'internal error' });
      else res.end();
    } finally {
      release();
    }
  };

  const handle = (req: NodeRequest, res: NodeResponse) => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
    });
    if (options.cors?.(req, res)) return;
    const method = req.method ?? 'GET';
    const match = route(method, req.url ?? '/');
    switch (match.kind) {
      case 'route':
        void runRoute(match.route, req, res, match.params, match.query);
        return;
      case 'bad-url':
        sendJson(res, 400, {
          code: 'invalid_argument',
          message: 'path: malformed percent-escape in the URL',
        });
        return;
      case 'method-not-allowed':
        sendJson(
          res,
          405,
          {
            code: 'method_not_allowed',
            message: `method: ${method} is not allowed here; allowed: ${match.allow.join(', ')}`,
          },
          { allow: match.allow.join(', ') },
        );
        return;
      case 'none': {
        const refusal = refuseBeforeRpc(req, bidiPaths);
        if (refusal)
          sendJson(res, refusal.status, { code: refusal.code, message: refusal.message });
        else rpcHandler(req, res);
      }
    }
  };

  const h1 = http.createServer({ keepAliveTimeout: 65_000 }, handle);
  const h2 = http2.createServer(
    { maxSessionMemory: 64, settings: { maxConcurrentStreams: 1000 } },
    handle,
  );
  if (!injector && options.grpcUnaryLane !== false) {
    const lane = createGrpcUnaryLane(rpcServing);
    // Node's compat layer is itself a 'stream' listener (it builds the request and response
    // objects and emits 'request'); it runs only for the streams the lane passes on.
    const compat = h2.listeners('stream') as Array<(...args: unknown[]) => void>;
    h2.removeAllListeners('stream');
    h2.on(
      'stream',
      (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ...rest: unknown[]) => {
        if (lane(stream, headers)) return;
        for (const listener of compat) listener.call(h2, stream, headers, ...rest);
      },
    );
  }
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  h2.on('sessionError', (err) => logger.debug({ err }, 'http2 session error'));
  const sockets = new Set<net.Socket>();
  /** Connections handed to grpc-js: drained (GOAWAY) on close, cut only after the deadline. */
  const grpcSockets = new Set<net.Socket>();
  const preface = Buffer.from('PRI * HTTP/2.0');
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (head.length < preface.length && preface.subarray(0, head.length).equals(head)) return;
      socket.off('data', onData);
      socket.pause();
      socket.unshift(head);
      // HTTP/2 sessions read the unshifted bytes themselves; resuming here would lose them.
      if (head.subarray(0, preface.length).equals(preface)) {
        if (injector) {
          grpcSockets.add(socket);
          socket.once('close', () => grpcSockets.delete(socket));
          injector.injectConnection(socket);
        } else h2.emit('connection', socket);
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });
  tcp.maxConnections = 10_000;
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(options.port, options.host, () => resolve());
  });
  const address = tcp.address() as net.AddressInfo;
  logger.info({ port: address.port, host: options.host }, `${options.name} listening`);

  return {
    port: address.port,
    async close(deadlineMs) {
      // Stop accepting, ask idle and HTTP/2 connections to go away, then wait only for the
      // requests in flight (not for clients that keep idle connections open), up to the deadline.
      tcp.close();
      h1.on('request', (_req, res) => res.setHeader('connection', 'close'));
      h1.closeIdleConnections();
      for (const session of sessions) session.close();
      injector?.drain(deadlineMs);
      const end = Date.now() + deadlineMs;
      while (inFlight > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      // grpc-js sessions close by themselves once their last response is flushed (GOAWAY sent
      // above); cutting them earlier would cancel an answer already given.
      while (grpcSockets.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      injector?.destroy();
      grpcJs?.forceShutdown();
      for (const socket of sockets) socket.destroy();
    },
  };
}
