import { createMemoryEscalationStore } from './escalation/escalation-store.js';
import { createJudge, type JudgeDeps } from './judge.js';
import { createMemoryQuarantineStore } from './quarantine/quarantine-store.js';
import { createMemoryRiskStore } from './risk/agent-risk.js';

/**
 * A judge whose agent state (risk, quarantine, escalations) lives in fresh in-memory stores:
 * the warm-up before readiness, the dataset evaluation and the benchmarks, where nothing may
 * touch the service's shared Redis state.
 */
export function createStandaloneJudge(deps: Omit<JudgeDeps, 'riskStore' | 'quarantineStore' | 'escalationStore'>) {
  return createJudge({
    ...deps,
    riskStore: createMemoryRiskStore(),
    quarantineStore: createMemoryQuarantineStore(),
    escalationStore: createMemoryEscalationStore(),
  });
}
