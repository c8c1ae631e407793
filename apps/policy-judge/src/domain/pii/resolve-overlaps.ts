/**
 * Overlap resolution shared by `detectPii`, `detectSecrets` and `redact`.
 */
import type { SensitiveEntity } from '../finding.js';

/**
 * Rank of an entity when two overlap: confidence first, then length (up to 100 code units adds
 * at most 0.2), so a checksum-validated card beats a phone reading of the same digits, and an
 * IPv6 address beats the IPv4 tail it contains.
 */
export function entityRank(e: SensitiveEntity): number {
  return e.confidence + Math.min(e.end - e.start, 100) / 500;
}

function byRank(a: SensitiveEntity, b: SensitiveEntity): number {
  return (
    entityRank(b) - entityRank(a) ||
    a.start - b.start ||
    (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)
  );
}

/** Greedy selection inside one cluster of mutually reachable overlaps (clusters are small). */
function resolveCluster(cluster: SensitiveEntity[], out: SensitiveEntity[]): void {
  if (cluster.length === 1) {
    out.push(cluster[0] as SensitiveEntity);
    return;
  }
  const kept: SensitiveEntity[] = [];
  for (const e of cluster.sort(byRank)) {
    if (!kept.some((k) => k.start < e.end && e.start < k.end)) kept.push(e);
  }
  out.push(...kept.sort((a, b) => a.start - b.start));
}

/**
 * Keep a set of non-overlapping entities: greedily accept by descending rank (ties: earlier
 * start, then type name, so the result is deterministic), drop anything overlapping an accepted
 * entity. Returns the kept entities sorted by start.
 *
 * Entities are first split into clusters separated by gaps (sorted by start; a cluster ends where
 * no entity reaches further), and the greedy choice runs per cluster. An entity can only conflict
 * with entities of its own cluster, so this equals the global greedy choice, in O(n log n)
 * instead of O(n²) for the thousands of entities a 1 MB input can hold.
 */
export function resolveOverlaps(entities: readonly SensitiveEntity[]): SensitiveEntity[] {
  const valid = entities.filter((e) => e.end > e.start);
  if (valid.length <= 1) return [...valid];
  valid.sort((a, b) => a.start - b.start || a.end - b.end);
  const out: SensitiveEntity[] = [];
  let cluster: SensitiveEntity[] = [];
  let clusterEnd = -1;
  for (const e of valid) {
    if (cluster.length > 0 && e.start >= clusterEnd) {
      resolveCluster(cluster, out);
      cluster = [];
    }
    cluster.push(e);
    clusterEnd = cluster.length === 1 ? e.end : Math.max(clusterEnd, e.end);
  }
  resolveCluster(cluster, out);
  return out;
}
