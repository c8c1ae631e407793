import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { gatewayv1 } from '@nethical/contracts';

/** Live rate from two samples of the gateway's action counter (the gateway keeps no rate state). */
export function rateBetween(
  a: gatewayv1.GetStatsResponse | undefined,
  b: gatewayv1.GetStatsResponse,
): number | undefined {
  if (!a?.observedAt || !b.observedAt) return undefined;
  const seconds =
    (timestampDate(b.observedAt).getTime() - timestampDate(a.observedAt).getTime()) / 1000;
  if (seconds <= 0 || b.actionsTotal < a.actionsTotal) return undefined;
  return Number(b.actionsTotal - a.actionsTotal) / seconds;
}
