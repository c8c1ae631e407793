import { readdirSync, readFileSync } from 'node:fs';
import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import type { GenService } from '@bufbuild/protobuf/codegenv2';
import { auditv1, gatewayv1, judgev1, merklev1, mlv1, quotav1 } from '@nethical/contracts';
import { describe, expect, it } from 'vitest';

/** Every service a ghz config may call, by fully-qualified name. */
const services = [
  gatewayv1.GovernanceService,
  quotav1.QuotaService,
  judgev1.PolicyJudgeService,
  mlv1.MlScorerService,
  auditv1.AuditStoreService,
  merklev1.MerkleAnchorService,
] as GenService<never>[];

interface GhzConfig {
  call: string;
  host: string;
  insecure: boolean;
  data: JsonValue;
}

const folder = new URL('.', import.meta.url);
const configs = readdirSync(folder)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, folder), 'utf8')) as GhzConfig] as const);

// ghz fills `{{…}}` Go templates per request; any string stands in for them here.
const untemplate = (value: JsonValue): JsonValue =>
  typeof value === 'string'
    ? value.replace(/\{\{[^}]*\}\}/g, '1')
    : Array.isArray(value)
      ? value.map(untemplate)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, untemplate(v as JsonValue)]))
        : value;

describe('ghz configs', () => {
  it('cover ProcessAction and each internal RPC named in the perf plan', () => {
    expect(configs.map(([, c]) => c.call).sort()).toEqual([
      'nethical.audit.v1.AuditStoreService/Append',
      'nethical.gateway.v1.GovernanceService/ProcessAction',
      'nethical.judge.v1.PolicyJudgeService/Judge',
      'nethical.merkle.v1.MerkleAnchorService/GetRoot',
      'nethical.ml.v1.MlScorerService/Score',
      'nethical.quota.v1.QuotaService/Check',
    ]);
  });

  it.each(configs)(
    '%s names a real method and its data parses as the request message',
    (_, config) => {
      const [serviceName, methodName] = config.call.split('/');
      const service = services.find((s) => s.typeName === serviceName);
      const method = service?.methods.find((m) => m.name === methodName);
      expect(method, config.call).toBeDefined();
      expect(config.insecure).toBe(true);
      expect(config.host).toMatch(/^127\.0\.0\.1:800[0-5]$/);
      // Strict parse: an unknown or misspelt field, or a bad enum name, throws.
      expect(() => fromJson(method!.input, untemplate(config.data))).not.toThrow();
    },
  );
});
