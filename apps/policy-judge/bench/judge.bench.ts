import { bench, describe } from 'vitest';
import { loadPolicy, loadTaxonomy } from '../src/adapters/policy-loader.js';
import { loadSensitiveDataPort } from '../src/domain/detectors/sensitive-data.js';
import { createMemoryEscalationStore } from '../src/domain/escalation/escalation-store.js';
import { createJudge } from '../src/domain/judge.js';
import { createPolicyHandle } from '../src/domain/policy/policy-handle.js';
import { createMemoryQuarantineStore } from '../src/domain/quarantine/quarantine-store.js';
import { createMemoryRiskStore } from '../src/domain/risk/agent-risk.js';
import { generateCorpus, oneKilobyteAction } from './corpus.js';

/**
 * Judge throughput and latency with every detector on (PII/secrets included), memory stores.
 * Run: npx vitest bench --run apps/policy-judge/bench/judge.bench.ts
 * Figures are noisy on a shared machine; compare tiered vs untiered within one run.
 */
const root = new URL('../../../', import.meta.url).pathname;
const policy = await loadPolicy(`${root}config/policies`);
const taxonomy = await loadTaxonomy(`${root}config/taxonomy`);
const sensitiveData = await loadSensitiveDataPort();

function judgeWith(tiered: boolean) {
  return createJudge({
    policy: createPolicyHandle(policy),
    riskStore: createMemoryRiskStore(),
    quarantineStore: createMemoryQuarantineStore(),
    escalationStore: createMemoryEscalationStore(),
    sensitiveData,
    taxonomy,
    clock: () => 1_000,
    flags: {
      enableQuarantine: true,
      enableEthicalTaxonomy: true,
      enablePerformanceOptimization: tiered,
      enableShadowMode: false,
      enableMlBlending: false,
      redactionPolicy: 'standard',
    },
  });
}

const corpus = generateCorpus(2000);
/** Long enough to get past regex tier-up and JIT warm-up; still a few seconds per case. */
const opts = { time: 4000, warmupTime: 1500 };
const kb = oneKilobyteAction();
const tiered = judgeWith(true);
const untiered = judgeWith(false);
let i = 0;
let j = 0;
let k = 0;

describe('judge: generated corpus (evaluations/s = hz)', () => {
  bench('tiered (enablePerformanceOptimization)', async () => {
    const a = corpus[i++ % corpus.length]!;
    await tiered.judge({ actionId: 'b', agentId: `a${i % 500}`, tenantId: 't', actionType: a.actionType, content: a.content });
  }, opts);
  bench('untiered (every detector, every signal)', async () => {
    const a = corpus[j++ % corpus.length]!;
    await untiered.judge({ actionId: 'b', agentId: `a${j % 500}`, tenantId: 't', actionType: a.actionType, content: a.content });
  }, opts);
});

describe('judge: one 1 KB action (latency: mean / p75 / p99)', () => {
  bench('tiered, 1 KB', async () => {
    await tiered.judge({ actionId: 'b', agentId: `k${k++ % 500}`, tenantId: 't', actionType: 'message', content: kb });
  }, opts);
  bench('untiered, 1 KB', async () => {
    await untiered.judge({ actionId: 'b', agentId: `k${k++ % 500}`, tenantId: 't', actionType: 'message', content: kb });
  }, opts);
});
