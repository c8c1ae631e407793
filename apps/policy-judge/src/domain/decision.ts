import { DECISION_NAMES, type DecisionName, type Finding, type SeverityName } from './finding.js';
import type { PolicyFile } from './policy/policy-schema.js';

/** Decisions from least to most restrictive (the order of `nethical.common.v1.Decision`). */
export const DECISION_ORDER: readonly DecisionName[] = DECISION_NAMES;

/** Rank of a decision in DECISION_ORDER. */
export const rank = (d: DecisionName): number => DECISION_ORDER.indexOf(d);

/** "Flagged" for evaluation and metrics: WARN or anything stricter. */
export const isFlagged = (d: DecisionName): boolean => rank(d) >= rank('WARN');

const SEVERITY_RANK: Record<SeverityName, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };
const SEVERITY_BY_RANK: SeverityName[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** True for PII/secret findings, which redaction can fix. */
export const isSensitive = (f: Finding): boolean =>
  f.category.startsWith('pii.') || f.category.startsWith('secret.');

/**
 * Action risk in [0, 1]: noisy-or of `severityWeight × confidence` over the findings that are
 * not fixed by redaction: `1 − Π (1 − w(sev_i) · conf_i)`.
 */
export function actionRisk(
  findings: Finding[],
  weights: PolicyFile['scoring']['severityWeights'],
): number {
  let keep = 1;
  for (const f of findings) if (!isSensitive(f)) keep *= 1 - weights[f.severity] * f.confidence;
  return 1 - keep;
}

/** Inputs of the decision mapping (all pure values). */
export interface DecisionInput {
  findings: Finding[];
  /** Action risk after optional ML blending. */
  risk: number;
  /** The agent's decayed risk before / after this action. */
  priorAgentRisk: number;
  agentRisk: number;
  /** The agent is under an active quarantine (only when the quarantine flag is on). */
  quarantined: boolean;
  quarantineEnabled: boolean;
}

export interface DecisionOutput {
  decision: DecisionName;
  /** Why, one line per rule of the mapping that applied. */
  reasons: string[];
  /** The agent must be quarantined now (auto quarantine). */
  quarantineNow: boolean;
}

/**
 * The decision mapping (docs/judge.md has the table). In order:
 * 1. an active quarantine → QUARANTINE;
 * 2. each non-PII finding maps by severity (`decision.bySeverity`); a HIGH/CRITICAL finding
 *    with confidence below `escalateBelowConfidence` maps to ESCALATE when its category is in
 *    `escalateCategories`, else one severity lower;
 * 3. risk ≥ `blockAt` → at least BLOCK; risk ≥ `warnAt` → at least WARN;
 * 4. only PII/secret findings → ALLOW_WITH_MODIFICATION (redaction fixes them);
 * 5. ESCALATE only if nothing confident already BLOCKs;
 * 6. repeat offender (prior agent risk ≥ `repeatOffenderAgentRisk`): WARN → BLOCK;
 * 7. a confident CRITICAL finding from an agent whose risk ≥ `terminateAgentRisk` → TERMINATE;
 * 8. quarantine on, agent risk ≥ `quarantineAgentRisk` and this action flagged → QUARANTINE.
 */
export function decide(input: DecisionInput, policy: PolicyFile): DecisionOutput {
  const d = policy.decision;
  const reasons: string[] = [];
  if (input.quarantineEnabled && input.quarantined) {
    return { decision: 'QUARANTINE', reasons: ['agent is quarantined'], quarantineNow: false };
  }
  let decision = 'ALLOW' as DecisionName;
  let escalate = false;
  let criticalConfident = false;
  const raise = (to: DecisionName, why: string) => {
    if (rank(to) > rank(decision)) {
      decision = to;
      reasons.push(why);
    }
  };
  const sensitive = input.findings.filter(isSensitive);
  for (const f of input.findings) {
    if (isSensitive(f)) continue;
    let sev = f.severity;
    const severe = SEVERITY_RANK[sev] >= SEVERITY_RANK.HIGH;
    if (severe && f.confidence < d.escalateBelowConfidence) {
      if (d.escalateCategories.some((c) => f.category === c || f.category.startsWith(`${c}.`))) {
        escalate = true;
        reasons.push(
          `${f.category}: ${sev} but confidence ${f.confidence.toFixed(2)} needs a human`,
        );
        continue;
      }
      sev = SEVERITY_BY_RANK[SEVERITY_RANK[sev] - 1]!;
    }
    if (sev === 'CRITICAL') criticalConfident = true;
    raise(d.bySeverity[sev], `${f.category} (${sev}) → ${d.bySeverity[sev]}`);
  }
  if (input.risk >= d.blockAt)
    raise('BLOCK', `risk ${input.risk.toFixed(2)} ≥ blockAt ${d.blockAt}`);
  else if (input.risk >= d.warnAt)
    raise('WARN', `risk ${input.risk.toFixed(2)} ≥ warnAt ${d.warnAt}`);
  if (decision === 'ALLOW' && sensitive.length > 0) {
    raise(
      'ALLOW_WITH_MODIFICATION',
      `${sensitive.length} PII/secret finding(s) fixed by redaction`,
    );
  }
  if (escalate && rank(decision) < rank('BLOCK'))
    raise('ESCALATE', 'low-confidence severe finding: review queue');
  if (decision === 'WARN' && input.priorAgentRisk >= d.repeatOffenderAgentRisk) {
    raise(
      'BLOCK',
      `repeat offender: agent risk ${input.priorAgentRisk.toFixed(2)} ≥ ${d.repeatOffenderAgentRisk}`,
    );
  }
  if (criticalConfident && input.agentRisk >= d.terminateAgentRisk) {
    raise(
      'TERMINATE',
      `critical finding from agent at risk ${input.agentRisk.toFixed(2)} ≥ ${d.terminateAgentRisk}`,
    );
    return { decision, reasons, quarantineNow: false };
  }
  const quarantineNow =
    input.quarantineEnabled &&
    input.agentRisk >= d.quarantineAgentRisk &&
    rank(decision) >= rank('WARN');
  if (quarantineNow) {
    decision = 'QUARANTINE';
    reasons.push(
      `agent risk ${input.agentRisk.toFixed(2)} ≥ quarantineAgentRisk ${d.quarantineAgentRisk}: quarantined`,
    );
  }
  return { decision, reasons, quarantineNow };
}
