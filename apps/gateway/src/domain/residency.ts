import { Code, ConnectError } from '@connectrpc/connect';
import type { ActionRequest } from './action-request';
import type { ActionProcessor, ActionScope, ProcessOutcome } from './process-action';

/**
 * Region-aware routing and data residency at ingress (docs/regions.md, "Home regions and
 * residency"). A tenant may have a home region (`NETHICAL_TENANT_HOME_REGIONS`); its actions are
 * judged and stored there. A gateway in another region forwards them to the home region's
 * gateway (`NETHICAL_REGION_GATEWAYS`). When the home region cannot be reached:
 * - a tenant marked `EU_GDPR` fails closed: 503, nothing is judged or recorded elsewhere;
 * - any other tenant fails over: the action is served here, in the receiving region.
 */

/** Residency policies a tenant can be bound by. */
export type TenantResidency = 'EU_GDPR';

export interface TenantHome {
  region: string;
  residency?: TenantResidency;
}

/** Header a forwarding gateway sets: the receiver serves the action or refuses, never forwards again. */
export const FORWARDED_FROM = 'x-nethical-forwarded-from';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;

/**
 * `tenant=region[:EU_GDPR],…`, e.g. `acme-eu=eu-west-1:EU_GDPR,acme-us=us-east-1`. An `EU_GDPR`
 * tenant's home must be an EU region (`eu-…`). Throws naming the variable and the bad entry.
 */
export function parseTenantHomes(
  spec: string | undefined,
  variable = 'NETHICAL_TENANT_HOME_REGIONS',
): Map<string, TenantHome> {
  const homes = new Map<string, TenantHome>();
  for (const entry of (spec ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const m = /^([^=]+)=([^:]+)(?::(.+))?$/.exec(entry);
    if (!m || !NAME.test(m[1]!.trim()) || !NAME.test(m[2]!.trim())) {
      throw new Error(`${variable}: ${JSON.stringify(entry)} is not tenant=region[:EU_GDPR]`);
    }
    const [tenant, region, residency] = [m[1]!.trim(), m[2]!.trim(), m[3]?.trim()];
    if (residency !== undefined && residency !== 'EU_GDPR') {
      throw new Error(
        `${variable}: ${JSON.stringify(entry)}: unknown residency ${JSON.stringify(residency)} (known: EU_GDPR)`,
      );
    }
    if (residency === 'EU_GDPR' && !region.startsWith('eu-')) {
      throw new Error(
        `${variable}: ${JSON.stringify(entry)}: an EU_GDPR tenant's home must be an EU region (eu-…)`,
      );
    }
    if (homes.has(tenant))
      throw new Error(`${variable}: tenant ${JSON.stringify(tenant)} is listed twice`);
    homes.set(tenant, residency ? { region, residency } : { region });
  }
  return homes;
}

/** `region=url,…`: each region's gateway, as this gateway reaches it. */
export function parseRegionGateways(
  spec: string | undefined,
  variable = 'NETHICAL_REGION_GATEWAYS',
): Map<string, string> {
  const gateways = new Map<string, string>();
  for (const entry of (spec ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const region = entry.slice(0, at).trim();
    const url = entry.slice(at + 1).trim();
    if (at <= 0 || !NAME.test(region) || !/^https?:\/\/[^\s]+$/.test(url)) {
      throw new Error(`${variable}: ${JSON.stringify(entry)} is not region=http(s)://host:port`);
    }
    gateways.set(region, url);
  }
  return gateways;
}

/** Where one tenant's action is served. */
export type Placement =
  | { kind: 'local' }
  | { kind: 'forward'; home: TenantHome; url: string }
  | { kind: 'refuse'; home: TenantHome; reason: string };

export function placementOf(
  tenantId: string,
  ownRegion: string,
  homes: ReadonlyMap<string, TenantHome>,
  gateways: ReadonlyMap<string, string>,
  forwardedFrom: string | undefined,
): Placement {
  const home = homes.get(tenantId);
  if (!home || home.region === ownRegion) return { kind: 'local' };
  if (forwardedFrom) {
    // Regions disagree about the tenant's home: serving it here could break residency, and
    // forwarding again could loop.
    return home.residency
      ? {
          kind: 'refuse',
          home,
          reason: `was forwarded here by ${forwardedFrom}, but its home is ${home.region}`,
        }
      : { kind: 'local' };
  }
  const url = gateways.get(home.region);
  if (url) return { kind: 'forward', home, url };
  return home.residency
    ? { kind: 'refuse', home, reason: `this gateway has no address for ${home.region}` }
    : { kind: 'local' };
}

/** Did the home region fail to take the action at all (down, unreachable, shedding)? */
function unreachable(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unavailable;
}

export interface ResidencyRouterDeps {
  ownRegion: string;
  homes: ReadonlyMap<string, TenantHome>;
  gateways: ReadonlyMap<string, string>;
  local: ActionProcessor;
  /** Send the action to another region's gateway (its answer, or its error). */
  forward: (url: string, req: ActionRequest, scope: ActionScope) => Promise<ProcessOutcome>;
  newActionId: () => string;
  /** Count routing outcomes (metrics). */
  onRoute?: (to: string, outcome: 'forwarded' | 'failed_over' | 'refused') => void;
}

/**
 * The gateway's processor with home regions and residency in front. A forwarded action keeps
 * one action id across regions (assigned here when the client sent none), so a client retry
 * after a failover cannot be stored twice under two ids.
 */
export function createResidencyRouter(deps: ResidencyRouterDeps): ActionProcessor {
  if (deps.homes.size === 0) return deps.local;
  const refuse = (req: ActionRequest, home: TenantHome, reason: string): never => {
    deps.onRoute?.(home.region, 'refused');
    throw new ConnectError(
      `tenant_id: tenant ${JSON.stringify(req.tenantId)} is resident in ${home.region} (${home.residency}) and its actions are judged and stored only there; ${reason}. Nothing was recorded; retry later`,
      Code.Unavailable,
    );
  };
  return async (req, scope = {}) => {
    const placement = placementOf(
      req.tenantId,
      deps.ownRegion,
      deps.homes,
      deps.gateways,
      forwardedFrom(scope),
    );
    if (placement.kind === 'local') return deps.local(req, scope);
    if (placement.kind === 'refuse') return refuse(req, placement.home, placement.reason);
    const { home, url } = placement;
    const routed: ActionRequest = {
      ...req,
      actionId: req.actionId || deps.newActionId(),
      regionId: home.region,
    };
    try {
      const out = await deps.forward(url, routed, scope);
      deps.onRoute?.(home.region, 'forwarded');
      return out;
    } catch (err) {
      if (!unreachable(err)) throw err;
      if (home.residency) {
        return refuse(
          req,
          home,
          `${home.region} is unavailable (${(err as ConnectError).rawMessage.slice(0, 200)})`,
        );
      }
      deps.onRoute?.(home.region, 'failed_over');
      return deps.local({ ...routed, regionId: deps.ownRegion }, scope);
    }
  };
}

/** Who forwarded this action (another region's gateway), if anyone. */
export function forwardedFrom(scope: ActionScope): string | undefined {
  return scope.header?.(FORWARDED_FROM)?.slice(0, 64) || undefined;
}

/** The caller's credentials, passed on with a forwarded action. */
export function credentialsOf(scope: ActionScope): Record<string, string> {
  const credentials: Record<string, string> = {};
  for (const name of ['authorization', 'x-api-key']) {
    const value = scope.header?.(name);
    if (value) credentials[name] = value;
  }
  return credentials;
}
