import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPolicy, loadTaxonomy } from '../src/adapters/policy-loader.js';
import { loadSensitiveDataPort, type SensitiveDataPort } from '../src/domain/detectors/sensitive-data.js';
import { createMemoryEscalationStore, type EscalationStore } from '../src/domain/escalation/escalation-store.js';
import type { ActionTypeName } from '../src/domain/finding.js';
import { createJudge, type JudgeDeps, type JudgeFlags } from '../src/domain/judge.js';
import type { CompiledPolicy } from '../src/domain/policy/compile-policy.js';
import { createPolicyHandle } from '../src/domain/policy/policy-handle.js';
import { createMemoryQuarantineStore, type QuarantineStore } from '../src/domain/quarantine/quarantine-store.js';
import { createMemoryRiskStore, type RiskStore } from '../src/domain/risk/agent-risk.js';
import type { Taxonomy } from '../src/domain/taxonomy/taxonomy.js';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const policyDir = `${repoRoot}config/policies`;
export const taxonomyDir = `${repoRoot}config/taxonomy`;

let cached: { policy: CompiledPolicy; taxonomy: Taxonomy; port: SensitiveDataPort } | undefined;
/** The shipped policy, taxonomy and the real PII/secrets port, loaded once per test file. */
export async function shipped() {
  cached ??= { policy: await loadPolicy(policyDir), taxonomy: await loadTaxonomy(taxonomyDir), port: await loadSensitiveDataPort() };
  return cached;
}

export interface FixtureCase {
  name: string;
  text: string;
  actionType: ActionTypeName;
  /** Category (prefix) that must be flagged, or null: must not be flagged. */
  expect: string | null;
}

export function fixture(family: string): FixtureCase[] {
  return JSON.parse(readFileSync(new URL(`./fixtures/detectors/${family}.json`, import.meta.url), 'utf8')) as FixtureCase[];
}

/** A controllable clock. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

export const defaultFlags: JudgeFlags = {
  enableQuarantine: true,
  enableEthicalTaxonomy: true,
  enablePerformanceOptimization: false,
  enableShadowMode: false,
  enableMlBlending: false,
  redactionPolicy: 'standard',
};

/** A judge over the shipped policy with memory stores (overridable). */
export async function makeJudge(over: Partial<Omit<JudgeDeps, 'flags'>> & { flags?: Partial<JudgeFlags> } = {}) {
  const { policy, taxonomy, port } = await shipped();
  const clock = manualClock();
  const stores = {
    riskStore: over.riskStore ?? (createMemoryRiskStore() as RiskStore),
    quarantineStore: over.quarantineStore ?? (createMemoryQuarantineStore() as QuarantineStore),
    escalationStore: over.escalationStore ?? (createMemoryEscalationStore() as EscalationStore),
  };
  let n = 0;
  const judge = createJudge({
    policy: over.policy ?? createPolicyHandle(policy),
    sensitiveData: over.sensitiveData ?? port,
    taxonomy: over.taxonomy ?? taxonomy,
    clock: over.clock ?? clock.now,
    newId: over.newId ?? (() => `esc-${++n}`),
    ...(over.mlScore ? { mlScore: over.mlScore } : {}),
    ...stores,
    flags: { ...defaultFlags, ...over.flags },
  });
  return { judge, clock, ...stores };
}

/** No PII/secrets: for tests of the other detector families, independent of the PII module. */
export const noSensitiveData: SensitiveDataPort = {
  detectPii: () => [],
  detectSecrets: () => [],
  redact: (text) => ({ text, replacements: [] }),
};

let seq = 0;
/** A judge input with fresh ids. */
export function action(content: string, actionType: ActionTypeName = 'message', agentId = `agent-${++seq}`) {
  return { actionId: `act-${++seq}`, agentId, tenantId: 'tenant-a', actionType, content };
}
