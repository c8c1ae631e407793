/**
 * Which client should services use for internal calls: Connect's gRPC transport
 * (@connectrpc/connect-node) or @grpc/grpc-js? Both call the same platform server
 * (connect-node, h2c) with the same message, `concurrency` calls in flight, for `seconds`.
 *
 *   npx tsx perf/rpc/compare-clients.ts [seconds=10] [concurrency=64]
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import { Decision, quotav1 } from '@nethical/contracts';
import { createHealth, createLogger, createServiceMetrics, startServer } from '@nethical/platform';
import * as hdr from 'hdr-histogram-js';

const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 64);
void Decision;

const server = await startServer({
  name: 'bench',
  host: '127.0.0.1',
  port: 0,
  services: [quotav1.QuotaService],
  routes: (router) =>
    router.service(quotav1.QuotaService, {
      check: (req) =>
        create(quotav1.CheckResponseSchema, { allowed: true, remaining: 10n, limitName: `agent:${req.agentId}`, limit: 10n }),
    }),
  health: createHealth(),
  metrics: createServiceMetrics('bench'),
  logger: createLogger('bench', 'silent'),
});
const url = `http://127.0.0.1:${server.port}`;
const request = create(quotav1.CheckRequestSchema, { agentId: 'agent-1', tenantId: 'default', regionId: 'local', payloadBytes: 1024n });

type Call = () => Promise<unknown>;

async function run(name: string, call: Call) {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 10_000_000, numberOfSignificantValueDigits: 3 });
  const warmupEnd = Date.now() + 1000;
  let n = 0;
  const end = Date.now() + 1000 + seconds * 1000;
  let measuredFrom = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t = process.hrtime.bigint();
        await call();
        const now = Date.now();
        if (now >= warmupEnd) {
          if (!measuredFrom) measuredFrom = now;
          h.recordValue(Number(process.hrtime.bigint() - t) / 1000);
          n += 1;
        }
      }
    }),
  );
  const elapsed = (Date.now() - measuredFrom) / 1000;
  const out = {
    client: name,
    callsPerSecond: Math.round(n / elapsed),
    p50ms: h.getValueAtPercentile(50) / 1000,
    p99ms: h.getValueAtPercentile(99) / 1000,
  };
  h.destroy();
  return out;
}

const connect = createClient(quotav1.QuotaService, createGrpcTransport({ baseUrl: url }));
const grpcClient = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
const serialize = (m: quotav1.CheckRequest) => Buffer.from(toBinary(quotav1.CheckRequestSchema, m));
const deserialize = (b: Buffer) => fromBinary(quotav1.CheckResponseSchema, b);
const grpcCall: Call = () =>
  new Promise((resolve, reject) =>
    grpcClient.makeUnaryRequest('/nethical.quota.v1.QuotaService/Check', serialize, deserialize, request, (err, res) =>
      err ? reject(err) : resolve(res),
    ),
  );

const results = [await run('@connectrpc/connect-node gRPC transport', () => connect.check(request)), await run('@grpc/grpc-js', grpcCall)];
for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
grpcClient.close();
await server.close(100);
process.exit(0);
