import { z } from 'zod';
import { PolicyValidationError } from '../errors.js';
import type { Finding, JudgedFinding, SeverityName } from '../finding.js';

/** The taxonomy file format (`config/taxonomy/*.json`). */
export const taxonomySchema = z.strictObject({
  version: z.string().min(1),
  dimensions: z.record(z.string().regex(/^[a-z][a-z_]*$/), z.string().min(1)),
  /** Category or category prefix (`harmful`, `harmful.weapons`) → dimensions, primary first. */
  categories: z.record(z.string(), z.array(z.string()).min(1)),
});

/** Maps violation categories to ethical dimensions. */
export interface Taxonomy {
  version: string;
  /** Dimensions of a category (longest matching prefix; empty when unmapped). */
  dimensionsOf(category: string): string[];
  /**
   * Annotate findings; the primary dimension is the first dimension of the most severe, then
   * most confident, finding.
   */
  apply(findings: Finding[]): { findings: JudgedFinding[]; dimensions: string[]; primary: string | null };
}

const SEV: Record<SeverityName, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

/** Validate (all problems at once, including unknown dimension names) and build a Taxonomy. */
export function compileTaxonomy(json: unknown, fileName: string): Taxonomy {
  const parsed = taxonomySchema.safeParse(json);
  if (!parsed.success) {
    throw new PolicyValidationError(fileName, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const t = parsed.data;
  const problems: string[] = [];
  for (const [cat, dims] of Object.entries(t.categories)) {
    for (const d of dims) if (!(d in t.dimensions)) problems.push(`categories.${cat}: unknown dimension '${d}'`);
  }
  if (problems.length > 0) throw new PolicyValidationError(fileName, problems);
  const cache = new Map<string, string[]>();
  const dimensionsOf = (category: string): string[] => {
    const hit = cache.get(category);
    if (hit) return hit;
    let key = category;
    let dims: string[] = [];
    for (;;) {
      const found = t.categories[key];
      if (found) {
        dims = found;
        break;
      }
      const dot = key.lastIndexOf('.');
      if (dot < 0) break;
      key = key.slice(0, dot);
    }
    cache.set(category, dims);
    return dims;
  };
  return {
    version: t.version,
    dimensionsOf,
    apply(findings) {
      const judged = findings.map((f) => ({ ...f, ethicalDimensions: dimensionsOf(f.category) }));
      const dimensions = [...new Set(judged.flatMap((f) => f.ethicalDimensions))];
      const worst = [...judged]
        .filter((f) => f.ethicalDimensions.length > 0)
        .sort((a, b) => SEV[b.severity] - SEV[a.severity] || b.confidence - a.confidence)[0];
      return { findings: judged, dimensions, primary: worst?.ethicalDimensions[0] ?? null };
    },
  };
}
