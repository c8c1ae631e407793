import type { Interceptor } from '@connectrpc/connect';
import type { AccessLevel, Authenticator } from '../domain/auth';

/**
 * Access level of each gateway procedure. Deny by default: a procedure not listed here needs an
 * operator key (AdminService, OperationsService and any RPC added later), so a new RPC is never
 * public by accident; the public ones are listed on purpose.
 */
const levels: Record<string, AccessLevel> = {
  'nethical.gateway.v1.GovernanceService/ProcessAction': 'agent',
  'nethical.gateway.v1.GovernanceService/GetAuditRecord': 'operator',
  'nethical.gateway.v1.GovernanceService/ListAuditRecords': 'operator',
  // The Merkle log is public by design: anyone may verify it (as on the plain HTTP routes).
  'nethical.gateway.v1.GovernanceService/GetCheckpoint': 'public',
  'nethical.gateway.v1.GovernanceService/GetInclusionProof': 'public',
  'nethical.gateway.v1.GovernanceService/GetConsistencyProof': 'public',
};

/** Services public as a whole: probes and tooling (they describe the API, they do not use it). */
const publicServices = new Set([
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
]);

/** The access level a procedure needs: listed, public service, or operator (deny by default). */
export function accessLevelOf(service: string, method: string): AccessLevel {
  if (publicServices.has(service)) return 'public';
  return levels[`${service}/${method}`] ?? 'operator';
}

/** Enforce API keys on gRPC/Connect calls, by procedure. */
export function rpcAuthInterceptor(auth: Authenticator): Interceptor {
  return (next) => async (req) => {
    auth.check(accessLevelOf(req.service.typeName, req.method.name), req.header);
    return next(req);
  };
}
