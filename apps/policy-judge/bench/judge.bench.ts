import { bench, describe } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { loadPolicy, loadTaxonomy } from '../src/adapters/policy-loader.js';
import { loadSensitiveDataPort } from '../src/domain/detectors/sensitive-data.js';
import { createStandaloneJudge } from '../src/domain/standalone-judge.js';
import { createPolicyHandle } from '../src/domain/policy/policy-handle.js';
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
  return createStandaloneJudge({
    policy: createPolicyHandle(policy),
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

// Every judgment is a new agent: with a few hundred agents repeating, quarantine (on by default)
// soon holds most of them after a few harmful texts each, and a quarantined agent's action is
// answered without scanning, so the bench measured quarantine look-ups (labelled prompts: ~26k/s
// reported, ~1.9k/s scanned).
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
    await tiered.judge({ actionId: 'b', agentId: `a${i}`, tenantId: 't', actionType: a.actionType, content: a.content });
  }, opts);
  bench('untiered (every detector, every signal)', async () => {
    const a = corpus[j++ % corpus.length]!;
    await untiered.judge({ actionId: 'b', agentId: `a${j}`, tenantId: 't', actionType: a.actionType, content: a.content });
  }, opts);
});

describe('judge: one 1 KB action (latency: mean / p75 / p99)', () => {
  bench('tiered, 1 KB', async () => {
    await tiered.judge({ actionId: 'b', agentId: `k${k++}`, tenantId: 't', actionType: 'message', content: kb });
  }, opts);
  bench('untiered, 1 KB', async () => {
    await untiered.judge({ actionId: 'b', agentId: `k${k++}`, tenantId: 't', actionType: 'message', content: kb });
  }, opts);
});

/**
 * The labelled prompts of the evaluation data (`$NETHICAL_DATASETS` or `../shared/datasets`,
 * read at run time, never copied): real attack and benign texts, ~500 characters on average,
 * so longer than the generated corpus. Skipped when the folder is absent.
 */
const datasetsDir = process.env.NETHICAL_DATASETS ?? `${root}../shared/datasets`;
const promptsFile = `${datasetsDir}/prompts/labelled_prompts.jsonl`;
const labelled = existsSync(promptsFile)
  ? readFileSync(promptsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => String((JSON.parse(line) as { text: unknown }).text ?? ''))
  : [];
let m = 0;
let n = 0;
describe.skipIf(labelled.length === 0)('judge: labelled prompts of the evaluation data (evaluations/s = hz)', () => {
  bench('tiered, labelled prompts', async () => {
    const content = labelled[m++ % labelled.length]!;
    await tiered.judge({ actionId: 'b', agentId: `p${m}`, tenantId: 't', actionType: 'message', content });
  }, opts);
  bench('untiered, labelled prompts', async () => {
    const content = labelled[n++ % labelled.length]!;
    await untiered.judge({ actionId: 'b', agentId: `p${n}`, tenantId: 't', actionType: 'message', content });
  }, opts);
});
