import { describe, expect, it } from 'vitest';
import { accessLevelOf } from '../src/routes/rpc-auth';

describe('gateway RPC access levels', () => {
  it('keeps the listed levels', () => {
    expect(accessLevelOf('nethical.gateway.v1.GovernanceService', 'ProcessAction')).toBe('agent');
    expect(accessLevelOf('nethical.gateway.v1.GovernanceService', 'ListAuditRecords')).toBe('operator');
    expect(accessLevelOf('nethical.gateway.v1.GovernanceService', 'GetCheckpoint')).toBe('public');
    expect(accessLevelOf('grpc.health.v1.Health', 'Check')).toBe('public');
    expect(accessLevelOf('grpc.reflection.v1alpha.ServerReflection', 'ServerReflectionInfo')).toBe('public');
  });

  it('denies by default: an unlisted method or service needs an operator key', () => {
    expect(accessLevelOf('nethical.gateway.v1.GovernanceService', 'SomeNewRpc')).toBe('operator');
    expect(accessLevelOf('nethical.gateway.v1.AdminService', 'QuarantineAgent')).toBe('operator');
    expect(accessLevelOf('nethical.gateway.v1.NewService', 'Anything')).toBe('operator');
  });
});
