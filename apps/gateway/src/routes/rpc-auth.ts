import type { Interceptor } from '@connectrpc/connect';
import type { AccessLevel, Authenticator } from '../domain/auth';

/** Access level of each gateway procedure; anything not listed (health, reflection) is public. */
const levels: Record<string, AccessLevel> = {
  'nethical.gateway.v1.GovernanceService/ProcessAction': 'agent',
  'nethical.gateway.v1.GovernanceService/GetAuditRecord': 'operator',
  'nethical.gateway.v1.GovernanceService/ListAuditRecords': 'operator',
};

/** Services whose every procedure needs the admin key. */
const operatorServices = new Set(['nethical.gateway.v1.AdminService', 'nethical.gateway.v1.OperationsService']);

/** Enforce API keys on gRPC/Connect calls, by procedure. */
export function rpcAuthInterceptor(auth: Authenticator): Interceptor {
  return (next) => async (req) => {
    const procedure = `${req.service.typeName}/${req.method.name}`;
    const level = levels[procedure] ?? (operatorServices.has(req.service.typeName) ? 'operator' : 'public');
    auth.check(level, req.header);
    return next(req);
  };
}
