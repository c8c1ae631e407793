import type { ActionTypeName, Finding } from './finding.js';
import { createScanContext, type ExcusedRule } from './detectors/scan-context.js';
import { detectorsFor } from './judge.js';
import type { CompiledPolicy } from './policy/compile-policy.js';

/** What the policy's detectors make of one text, excuses included. */
export interface DetectorExplanation {
  /** Every finding of the policy's detectors (PII and secrets are the sensitive-data port's). */
  findings: Finding[];
  /** Every rule whose signals all fired but whose excuses took its hits away, and which excuses. */
  excused: ExcusedRule[];
}

/**
 * Run every detector of `policy` over `content`, untiered (every rule is evaluated, as the judge's
 * tiered mode decides alike), recording the rules that excuses kept from firing. For policy
 * authors and operators (`nethical explain`): a finding says what fired, this also says what
 * was excused and by what. Not on the service's path.
 */
export function explainDetectors(
  content: string,
  actionType: ActionTypeName,
  policy: CompiledPolicy,
): DetectorExplanation {
  const ctx = createScanContext(content, actionType, policy, { traceExcuses: true });
  const findings: Finding[] = [];
  for (const det of detectorsFor(policy)) findings.push(...det.run(ctx, { shortCircuit: false }));
  return { findings, excused: ctx.excused ?? [] };
}
