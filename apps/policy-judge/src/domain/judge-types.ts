import type { EscalationStore } from './escalation/escalation-store.js';
import type { ActionTypeName, DecisionName, JudgedFinding, RedactionPolicy } from './finding.js';
import type { PolicyHandle } from './policy/policy-handle.js';
import type { QuarantineStore } from './quarantine/quarantine-store.js';
import type { RiskStore } from './risk/agent-risk.js';
import type { SensitiveDataPort } from './detectors/sensitive-data.js';
import type { Taxonomy } from './taxonomy/taxonomy.js';

/** Feature flags of the judge (from service config). */
export interface JudgeFlags {
  /** Enforce quarantine: auto-quarantine risky agents and refuse their actions. */
  enableQuarantine: boolean;
  /** Attach ethical dimensions from the taxonomy. */
  enableEthicalTaxonomy: boolean;
  /** Tiered evaluation: cheap checks first, deep detectors only when their gate fires or risk is high. */
  enablePerformanceOptimization: boolean;
  /** Compute and report the ML score, never use it. */
  enableShadowMode: boolean;
  /** Blend the ML score into the action risk (ignored in shadow mode). */
  enableMlBlending: boolean;
  redactionPolicy: RedactionPolicy;
}

/** What the ML scorer returns. */
export interface MlScore {
  score: number;
  modelVersion: string;
  anomaly: boolean;
  anomalyScore: number;
}

/** Optional ML scoring (ml-scorer client); may fail or time out without failing the action. */
export type MlScoreFn = (input: { content: string; actionType: ActionTypeName; agentId: string }) => Promise<MlScore>;

/** Dependencies of `createJudge`. */
export interface JudgeDeps {
  policy: PolicyHandle;
  riskStore: RiskStore;
  quarantineStore: QuarantineStore;
  escalationStore: EscalationStore;
  sensitiveData: SensitiveDataPort;
  /** Required when `flags.enableEthicalTaxonomy`. */
  taxonomy?: Taxonomy;
  mlScore?: MlScoreFn;
  /** Wall clock in epoch milliseconds (decay, quarantine expiry, timestamps). */
  clock: () => number;
  /** Monotonic milliseconds for timings; defaults to `performance.now`. */
  monotonic?: () => number;
  /** Id generator for escalations; defaults to `crypto.randomUUID`. */
  newId?: () => string;
  flags: JudgeFlags;
}

/** One action to judge. */
export interface JudgeInput {
  actionId: string;
  agentId: string;
  tenantId: string;
  actionType: ActionTypeName;
  content: string;
  context?: Record<string, unknown>;
}

/** What the ML scorer contributed. `status` says whether it was available. */
export interface MlOutcome {
  status: 'ok' | 'failed' | 'timeout';
  score?: number;
  modelVersion?: string;
  anomaly?: boolean;
  anomalyScore?: number;
  /** Computed but not used (shadow mode, or blending off). */
  shadow: boolean;
  /** Blended into riskScore. */
  blended: boolean;
  error?: string;
}

/** The judgment of one action. */
export interface JudgeOutcome {
  decision: DecisionName;
  findings: JudgedFinding[];
  /** Risk of this action in [0, 1] (after ML blending when on). */
  riskScore: number;
  /** The agent's decayed risk after this action. */
  agentRisk: number;
  reasoning: string;
  /** What may be stored (PII/secrets redacted unless the policy says `storeRaw`). */
  redactedContent: string;
  /** For ALLOW_WITH_MODIFICATION: the redacted action to run instead. */
  modifiedContent?: string;
  detectorsRun: string[];
  policyRevision: string;
  ml?: MlOutcome;
  ethicalDimensions: string[];
  primaryDimension: string | null;
  escalationId?: string;
  timings: { totalMs: number; detectorsMs: number; sensitiveMs: number; storesMs: number };
}
