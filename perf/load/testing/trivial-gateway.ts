/**
 * A stand-in gateway for testing and calibrating the load generator itself (not a mock of a
 * Nethical dependency): plain HTTP/1.1 `POST /process_action` plus `GovernanceService/
 * ProcessAction` over HTTP/2 (gRPC and Connect). It answers ALLOW, or BLOCK for texts containing
 * "Ignore all previous", and can be made deliberately slow: `delayMs` per request, processed at
 * most `concurrency` at a time, so excess requests queue inside the server.
 *
 * Run alone (own process, so it does not share the generator's event loop):
 *   npx tsx perf/load/testing/trivial-gateway.ts --port 18000 --h2-port 18001
 */
import { createServer, type Server } from 'node:http';
import { createServer as createH2Server, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { Decision, gatewayv1 } from '@nethical/contracts';

export interface TrivialGatewayOptions {
  /** Service time of each request, ms (0 = answer at once). */
  delayMs?: number;
  /** Requests served at the same time; the rest wait in a FIFO queue. */
  concurrency?: number;
  /** Status code to answer every HTTP request with (e.g. 429); 200 by default. */
  httpStatus?: number;
  /** When set, HTTP requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  port?: number;
  h2Port?: number;
}

export interface TrivialGateway {
  /** `http://127.0.0.1:<port>` of the HTTP/1.1 JSON endpoint. */
  httpUrl: string;
  /** `http://127.0.0.1:<port>` of the HTTP/2 gRPC/Connect endpoint. */
  h2Url: string;
  /** Requests received so far (both listeners). */
  received(): number;
  close(): Promise<void>;
}

/** Start both listeners on loopback (ephemeral ports unless given). */
export async function startTrivialGateway(
  options: TrivialGatewayOptions = {},
): Promise<TrivialGateway> {
  const delayMs = options.delayMs ?? 0;
  const concurrency = options.concurrency ?? Number.POSITIVE_INFINITY;
  let received = 0;
  let active = 0;
  const waiting: (() => void)[] = [];
  // A FIFO of service slots: with concurrency 1 and delay d, request k finishes at ≈ (k+1)·d.
  const serve = async <T>(work: () => T): Promise<T> => {
    received++;
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
  const judge = (text: string): Decision =>
    /Ignore all previous/i.test(text) ? Decision.BLOCK : Decision.ALLOW;

  const http1: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void serve(() => {
        if (req.method !== 'POST' || !req.url?.startsWith('/process_action')) {
          res.writeHead(404).end();
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          action?: string;
          action_id?: string;
        };
        const authorised =
          !options.apiKey || req.headers.authorization === `Bearer ${options.apiKey}`;
        const status = authorised ? (options.httpStatus ?? 200) : 401;
        const decision = judge(body.action ?? '');
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          status === 200
            ? JSON.stringify({
                action_id: body.action_id,
                decision: Decision[decision],
                violations: decision === Decision.ALLOW ? [] : [{ detector: 'trivial' }],
                risk_score: 0,
                reasoning: '',
                audit: { sequence: received },
              })
            : JSON.stringify({ error: 'refused by trivial gateway' }),
        );
      });
    });
  });
  http1.keepAliveTimeout = 60_000;

  const h2: Http2Server = createH2Server(
    connectNodeAdapter({
      routes(router) {
        router.service(gatewayv1.GovernanceService, {
          processAction: (req) =>
            serve(() => {
              if (!req.action) throw new ConnectError('action is required', Code.InvalidArgument);
              const decision = judge(req.action);
              return create(gatewayv1.ProcessActionResponseSchema, {
                actionId: req.actionId,
                decision,
              });
            }),
        });
      },
    }),
  );

  await Promise.all([listen(http1, options.port ?? 0), listen(h2, options.h2Port ?? 0)]);
  const url = (s: Server | Http2Server): string =>
    `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return {
    httpUrl: url(http1),
    h2Url: url(h2),
    received: () => received,
    async close() {
      http1.closeAllConnections();
      await Promise.all([
        new Promise((resolve) => http1.close(resolve)),
        new Promise((resolve) => h2.close(resolve)),
      ]);
    },
  };
}

function listen(server: Server | Http2Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const gateway = await startTrivialGateway({
    port: arg('--port', 18000),
    h2Port: arg('--h2-port', 18001),
    delayMs: arg('--delay-ms', 0),
  });
  process.stdout.write(
    `trivial gateway listening on ${gateway.httpUrl} (http) and ${gateway.h2Url} (h2)\n`,
  );
  const stop = (): void => void gateway.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
