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

/**
 * Keep a set of non-overlapping entities: greedily accept by descending rank (ties: earlier
 * start, then type name, so the result is deterministic), drop anything overlapping an accepted
 * entity. Returns the kept entities sorted by start. O(n log n) for the sort plus O(n·k) checks,
 * where k is the number of kept entities overlapping the region (small in practice).
 */
export function resolveOverlaps(entities: readonly SensitiveEntity[]): SensitiveEntity[] {
  const valid = entities.filter((e) => e.end > e.start);
  if (valid.length <= 1) return [...valid];
  const byRank = [...valid].sort(
    (a, b) =>
      entityRank(b) - entityRank(a) ||
      a.start - b.start ||
      (a.type < b.type ? -1 : a.type > b.type ? 1 : 0),
  );
  const kept: SensitiveEntity[] = [];
  for (const e of byRank) {
    if (!kept.some((k) => k.start < e.end && e.start < k.end)) kept.push(e);
  }
  return kept.sort((a, b) => a.start - b.start);
}
