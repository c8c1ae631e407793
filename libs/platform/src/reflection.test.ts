import { auditv1, gatewayv1, judgev1, merklev1, mlv1, quotav1 } from '@nethical/contracts';
import { integrationMandatory, runTool, sharedTool } from '@nethical/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealth } from './health';
import { createLogger } from './logger';
import { createServiceMetrics } from './metrics';
import { startServer, type RunningServer } from './server';

/**
 * Reflection as operators use it: the real grpcurl binary (v1alpha reflection, jhump/protoreflect)
 * against a started server, on both h2c servers. Services whose protos import other files
 * (common.proto, google/protobuf/*) are the ones that used to answer "Symbol not found".
 */
const grpcurl = sharedTool('grpcurl');
const services = [
  gatewayv1.GovernanceService,
  gatewayv1.AdminService,
  judgev1.PolicyJudgeService,
  mlv1.MlScorerService,
  auditv1.AuditStoreService,
  quotav1.QuotaService,
  merklev1.MerkleAnchorService,
];

describe.skipIf(!grpcurl && !integrationMandatory).each(['connect', 'grpc-js'] as const)(
  'grpcurl through server reflection (h2c served by %s)',
  (h2Server) => {
    let server: RunningServer;
    let target: string;
    const run = (...args: string[]) =>
      runTool(grpcurl ?? 'grpcurl (not found in ../shared/bin)', ['-plaintext', ...args]);
    beforeAll(async () => {
      server = await startServer({
        name: 'reflection-test',
        host: '127.0.0.1',
        port: 0,
        services,
        routes: (router) => {
          for (const s of services) router.service(s, {});
        },
        health: createHealth(),
        metrics: createServiceMetrics('reflection_test'),
        logger: createLogger('reflection-test', 'silent'),
        h2Server,
      });
      target = `127.0.0.1:${server.port}`;
    });
    afterAll(() => server?.close(1000));

    it('lists every service', async () => {
      const { code, stdout, stderr } = await run(target, 'list');
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout.trim().split('\n').sort()).toEqual(
        [...services.map((s) => s.typeName), 'grpc.health.v1.Health'].sort(),
      );
    });

    it.each(services.map((s) => s.typeName))(
      'describes %s and each of its methods',
      async (name) => {
        const service = await run(target, 'describe', name);
        expect(service.stderr).toBe('');
        expect(service.stdout).toContain(`${name} is a service`);
        const methods = await run(target, 'list', name);
        expect(methods.code).toBe(0);
        expect(methods.stdout.trim().split('\n').length).toBeGreaterThan(0);
      },
    );

    it.each([
      'nethical.common.v1.Violation',
      'nethical.gateway.v1.ProcessActionRequest',
      'nethical.gateway.v1.GovernanceService.ProcessAction',
      'nethical.judge.v1.JudgeRequest',
      'google.protobuf.Timestamp',
      'google.protobuf.Struct',
    ])('describes the symbol %s', async (symbol) => {
      const { code, stdout, stderr } = await run(target, 'describe', symbol);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain(symbol);
    });

    it('encodes a request for an imported message type (the descriptor set is complete)', async () => {
      // -format json makes grpcurl build the request from the reflected descriptors; the call
      // itself answers Unimplemented (no handler registered), which proves it was sent.
      const { stderr } = await run(
        '-d',
        '{"agent_id":"a1","action":"hello"}',
        target,
        'nethical.gateway.v1.GovernanceService/ProcessAction',
      );
      expect(stderr).toContain('Unimplemented');
    });
  },
);
