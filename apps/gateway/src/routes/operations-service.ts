import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import { gatewayv1 } from '@nethical/contracts';
import type { StatsPublisher } from '../domain/published-stats';
import type { SlaStatus } from '../domain/sla-monitor';

export interface OperationsDeps {
  stats: StatsPublisher;
  /** Rolling latency; undefined when SLA monitoring is off. */
  sla: () => SlaStatus | undefined;
  /** Exact number of decisions returned since start (the decisions counter). */
  actionsTotal: () => Promise<number>;
  now: () => Date;
}

/**
 * `nethical.gateway.v1.OperationsService`: the figures an operator dashboard polls. The live
 * rate is left to the client (two samples of `actions_total` and `observed_at`), so the gateway
 * keeps no extra state for it.
 */
export function operationsService(
  deps: OperationsDeps,
): ServiceImpl<typeof gatewayv1.OperationsService> {
  return {
    async getStats() {
      const published = deps.stats.publish();
      const sla = deps.sla();
      const decisions: Record<string, bigint> = {};
      for (const [name, n] of Object.entries(published.counts))
        decisions[name] = BigInt(Math.max(0, Math.round(n)));
      return create(gatewayv1.GetStatsResponseSchema, {
        observedAt: timestampFromDate(deps.now()),
        actionsTotal: BigInt(Math.max(0, Math.round(await deps.actionsTotal()))),
        decisions,
        privacyMode: published.mode,
        p50Ms: sla?.p50Ms ?? 0,
        p99Ms: sla?.p99Ms ?? 0,
        targetP99Ms: sla?.targetP99Ms ?? 0,
        windowCount: BigInt(sla?.count ?? 0),
        windowSeconds: sla?.windowSeconds ?? 0,
        breached: sla?.breached ?? false,
      });
    },
  };
}
