import { PermissionDeniedError } from '@nethical/platform';
import type { ActionProcessor } from './process-action';

/** Options of `bindTenants`. */
export interface TenantBindingDeps {
  /** The tenant the request's API key is bound to, if any (`Authenticator.tenantOf`). */
  tenantOf(header: (name: string) => string | null | undefined): string | undefined;
  /** The tenant of an action that names none (`NETHICAL_LOGICAL_DOMAIN`). */
  defaultTenant: string;
}

/**
 * Make `tenant_id` the key's, not the caller's claim, for keys bound to a tenant
 * (`NETHICAL_API_KEY_TENANTS`): an action without a tenant (parsed as the default one) becomes the
 * key's tenant, and one naming another tenant is refused (PERMISSION_DENIED / 403, naming
 * `tenant_id`) before quota, residency or the judge see it. Quota buckets and data residency
 * are keyed by tenant, so a claimed tenant would open fresh buckets or choose where data lives.
 * Keys that are not bound (`NETHICAL_API_KEYS`) keep the claim, as before.
 */
export function bindTenants(next: ActionProcessor, deps: TenantBindingDeps): ActionProcessor {
  return async (req, scope = {}) => {
    const bound = scope.header ? deps.tenantOf(scope.header) : undefined;
    if (bound === undefined || bound === req.tenantId) return next(req, scope);
    if (req.tenantId !== deps.defaultTenant) {
      throw new PermissionDeniedError(
        `tenant_id: this API key is bound to tenant ${JSON.stringify(bound)} and may not act for ${JSON.stringify(req.tenantId)}`,
      );
    }
    return next({ ...req, tenantId: bound }, scope);
  };
}
