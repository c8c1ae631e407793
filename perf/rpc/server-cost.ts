/**
 * Server CPU per unary call: the platform server with connect-node serving h2c (with the
 * interceptors every service has), the same with plain unary gRPC answered by the lane
 * (`grpc-unary-lane.ts`, the public gateway's default), the platform server with @grpc/grpc-js serving h2c
 * (`h2Server: 'grpc-js'`, same interceptors), and a bare @grpc/grpc-js server; same message,
 * same client (@grpc/grpc-js in this process), the server in its own process; CPU from /proc.
 *
 *   npx tsx perf/rpc/server-cost.ts [seconds=10] [concurrency=16]
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { quotav1 } from '@nethical/contracts';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [mode, portArg] = process.argv.slice(2);
const reply = (agentId: string) =>
  create(quotav1.CheckResponseSchema, {
    allowed: true,
    remaining: 10n,
    limitName: `agent:${agentId}`,
    limit: 10n,
  });

if (
  mode === 'serve-platform' ||
  mode === 'serve-platform-lane' ||
  mode === 'serve-platform-grpc-js'
) {
  const {
    createHealth,
    createLogger,
    createServiceMetrics,
    startServer,
    errorMappingInterceptor,
    serverTracingInterceptor,
  } = await import('@nethical/platform');
  const logger = createLogger('bench', 'silent');
  await startServer({
    name: 'bench',
    host: '127.0.0.1',
    port: Number(portArg),
    services: [quotav1.QuotaService],
    routes: (router: import('@connectrpc/connect').ConnectRouter) =>
      router.service(quotav1.QuotaService, {
        check: (req: quotav1.CheckRequest) => reply(req.agentId),
      }),
    health: createHealth(),
    metrics: createServiceMetrics('bench'),
    logger,
    interceptors: [serverTracingInterceptor(), errorMappingInterceptor(() => {})],
    h2Server: mode === 'serve-platform-grpc-js' ? 'grpc-js' : 'connect',
    grpcUnaryLane: mode === 'serve-platform-lane',
  });
  process.stdout.write('ready\n');
} else if (mode === 'serve-grpc') {
  const server = new grpc.Server();
  server.addService(
    {
      check: {
        path: '/nethical.quota.v1.QuotaService/Check',
        requestStream: false,
        responseStream: false,
        requestSerialize: (m: quotav1.CheckRequest) =>
          Buffer.from(toBinary(quotav1.CheckRequestSchema, m)),
        requestDeserialize: (b: Buffer) => fromBinary(quotav1.CheckRequestSchema, b),
        responseSerialize: (m: quotav1.CheckResponse) =>
          Buffer.from(toBinary(quotav1.CheckResponseSchema, m)),
        responseDeserialize: (b: Buffer) => fromBinary(quotav1.CheckResponseSchema, b),
      },
    },
    {
      check: (
        call: grpc.ServerUnaryCall<quotav1.CheckRequest, quotav1.CheckResponse>,
        cb: grpc.sendUnaryData<quotav1.CheckResponse>,
      ) => cb(null, reply(call.request.agentId)),
    },
  );
  server.bindAsync(`127.0.0.1:${portArg}`, grpc.ServerCredentials.createInsecure(), () =>
    process.stdout.write('ready\n'),
  );
} else {
  const seconds = Number(process.argv[2] ?? 10);
  const concurrency = Number(process.argv[3] ?? 16);
  const request = create(quotav1.CheckRequestSchema, {
    agentId: 'agent-1',
    tenantId: 'default',
    regionId: 'local',
    payloadBytes: 1024n,
  });
  for (const [i, serveMode] of [
    'serve-platform',
    'serve-platform-lane',
    'serve-platform-grpc-js',
    'serve-grpc',
  ].entries()) {
    const port = 18790 + i;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', new URL(import.meta.url).pathname, serveMode, String(port)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()),
    );
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = () =>
      new Promise<void>((resolve, reject) =>
        client.makeUnaryRequest(
          '/nethical.quota.v1.QuotaService/Check',
          (m: quotav1.CheckRequest) => Buffer.from(toBinary(quotav1.CheckRequestSchema, m)),
          (b: Buffer) => fromBinary(quotav1.CheckResponseSchema, b),
          request,
          (err) => (err ? reject(err) : resolve()),
        ),
      );
    const ticks = () => {
      const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(f[11]) + Number(f[12]);
    };
    const warm = Date.now() + 2000;
    while (Date.now() < warm) await Promise.all(Array.from({ length: concurrency }, call));
    const t0 = ticks();
    const start = Date.now();
    let n = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() - start < seconds * 1000) {
          await call();
          n++;
        }
      }),
    );
    const serverMsPerCall = ((ticks() - t0) * 10) / n;
    process.stdout.write(
      `${serveMode}: ${Math.round(n / seconds)} calls/s, server CPU ${serverMsPerCall.toFixed(3)} ms per call\n`,
    );
    client.close();
    child.kill();
  }
  process.exit(0);
}
