import type { Finding } from '../finding.js';
import type { ScanContext } from './scan-context.js';

/** One detector family. `run` is synchronous and pure over the scan context. */
export interface Detector {
  id: string;
  /** `cheap` always runs; `deep` may be skipped in tiered mode when its gate is silent. */
  tier: 'cheap' | 'deep';
  /** Cheap check deciding whether the detector can fire at all (tiered mode only). */
  gate(ctx: ScanContext): boolean;
  run(ctx: ScanContext, options: { shortCircuit: boolean }): Finding[];
}
