/**
 * Detection metrics over scored, labelled examples. Hand-written: AUC and recall at a fixed
 * false-positive rate are a sort and a scan, not worth a dependency.
 */

/** One scored example. */
export interface Scored {
  score: number;
  label: 0 | 1;
  category: string;
}

/** Area under the ROC curve (Mann–Whitney U, ties counted as one half). NaN when a class is empty. */
export function rocAuc(rows: readonly Scored[]): number {
  const sorted = [...rows].sort((a, b) => a.score - b.score);
  let pos = 0;
  let neg = 0;
  let rankSumPos = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const midRank = (i + 1 + j) / 2; // average 1-based rank of the tie group
    for (let t = i; t < j; t++) {
      if (sorted[t]!.label === 1) {
        pos++;
        rankSumPos += midRank;
      } else neg++;
    }
    i = j;
  }
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * The lowest threshold whose false-positive rate (share of negatives with score ≥ threshold) is
 * at most `maxFpr`. Returns +Infinity when there are no negatives to calibrate on.
 */
export function thresholdAtFpr(rows: readonly Scored[], maxFpr: number): number {
  const negatives = rows
    .filter((r) => r.label === 0)
    .map((r) => r.score)
    .sort((a, b) => b - a);
  if (negatives.length === 0) return Number.POSITIVE_INFINITY;
  const allowed = Math.floor(maxFpr * negatives.length);
  // Flag scores strictly above the (allowed+1)-th highest negative: at most `allowed` negatives pass.
  const bar = negatives[allowed];
  return bar === undefined ? Number.NEGATIVE_INFINITY : nextUp(bar);
}

function nextUp(x: number): number {
  return x + Math.max(Number.EPSILON, Math.abs(x) * Number.EPSILON);
}

/** Share of rows with `label` whose score reaches `threshold`. */
export function flaggedShare(rows: readonly Scored[], label: 0 | 1, threshold: number): number {
  const of = rows.filter((r) => r.label === label);
  if (of.length === 0) return Number.NaN;
  return of.filter((r) => r.score >= threshold).length / of.length;
}

/** Per-category result at one threshold: recall for risky categories, false-positive rate for benign ones. */
export interface CategoryResult {
  category: string;
  label: 0 | 1;
  count: number;
  /** Share flagged: recall when `label` is 1, false-positive rate when 0. */
  flagged: number;
}

/** Metrics of one evaluated set. */
export interface SetMetrics {
  count: number;
  positives: number;
  auc: number;
  /** The target false-positive rate (e.g. 0.03). */
  targetFpr: number;
  threshold: number;
  recallAtFpr: number;
  fprAtThreshold: number;
  categories: CategoryResult[];
}

/** AUC, recall at `targetFpr` (threshold set on this set's own negatives) and per-category shares. */
export function setMetrics(rows: readonly Scored[], targetFpr: number): SetMetrics {
  const threshold = thresholdAtFpr(rows, targetFpr);
  const byCategory = new Map<string, Scored[]>();
  for (const r of rows) {
    const key = `${r.label}\u0000${r.category}`;
    const list = byCategory.get(key) ?? [];
    list.push(r);
    byCategory.set(key, list);
  }
  const categories = [...byCategory.values()]
    .map((list): CategoryResult => {
      const label = list[0]!.label;
      return {
        category: list[0]!.category,
        label,
        count: list.length,
        flagged: flaggedShare(list, label, threshold),
      };
    })
    .sort((a, b) => b.label - a.label || a.category.localeCompare(b.category));
  return {
    count: rows.length,
    positives: rows.filter((r) => r.label === 1).length,
    auc: rocAuc(rows),
    targetFpr,
    threshold,
    recallAtFpr: flaggedShare(rows, 1, threshold),
    fprAtThreshold: flaggedShare(rows, 0, threshold),
    categories,
  };
}
