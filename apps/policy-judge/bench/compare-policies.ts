/**
 * Speed of the current policy against a baseline policy, measured in the same process and
 * interleaved round by round, so a shared machine's load hits both alike (report the ratio).
 *
 *   npx tsx apps/policy-judge/bench/compare-policies.ts --baseline <dir with default.json> [--rounds 5]
 *
 * Each judgment is a new agent, in every round (an agent id seen in an earlier round would carry
 * its risk over and, once quarantined, be answered without a scan), so quarantine never answers in
 * place of the scan.
 * Per round and policy: every labelled prompt (both prompt files; CPU time of this thread, so
 * evaluations/s/core) and 5,000 judgments of the 1 KB action (p99 wall time). Every detector
 * that is on by default runs (tiered, PII/secrets, taxonomy, quarantine on, memory stores).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadPolicy, loadTaxonomy } from '../src/adapters/policy-loader.js';
import { ensureRegExpTierUp } from '../src/adapters/regexp-engine.js';
import { loadSensitiveDataPort } from '../src/domain/detectors/sensitive-data.js';
import { createPolicyHandle } from '../src/domain/policy/policy-handle.js';
import { createStandaloneJudge } from '../src/domain/standalone-judge.js';
import { oneKilobyteAction } from './corpus.js';

// Regexps compiled at first use, as in the service (re-runs itself under node's flag).
await ensureRegExpTierUp(false);
const { values } = parseArgs({ options: { baseline: { type: 'string' }, rounds: { type: 'string', default: '5' } } });
if (!values.baseline) throw new Error('--baseline <policy dir> is required');
const root = new URL('../../../', import.meta.url).pathname;
const datasets = process.env.NETHICAL_DATASETS ?? `${root}../shared/datasets`;
const texts = ['labelled_prompts.jsonl', 'labelled_prompts_more.jsonl']
  .map((f) => `${datasets}/prompts/${f}`)
  .filter((p) => existsSync(p))
  .flatMap((p) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => String((JSON.parse(l) as { text: unknown }).text ?? '')));
const taxonomy = await loadTaxonomy(`${root}config/taxonomy`);
const sensitiveData = await loadSensitiveDataPort();
const kb = oneKilobyteAction();

async function judgeFor(dir: string) {
  const policy = await loadPolicy(dir);
  const judge = createStandaloneJudge({
    policy: createPolicyHandle(policy),
    sensitiveData,
    taxonomy,
    clock: () => 1_000,
    flags: { enableQuarantine: true, enableEthicalTaxonomy: true, enablePerformanceOptimization: true, enableShadowMode: false, enableMlBlending: false, redactionPolicy: 'standard' },
  });
  return { name: policy.revision, judge };
}

const subjects = [await judgeFor(values.baseline), await judgeFor(`${root}config/policies`)];
const results = new Map<string, { rate: number[]; p99: number[] }>(subjects.map((s) => [s.name, { rate: [], p99: [] }]));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (let round = 0; round < Number(values.rounds); round++) {
  for (const s of round % 2 === 0 ? subjects : [...subjects].reverse()) {
    const c0 = cpuMs();
    let i = 0;
    for (const content of texts) await s.judge.judge({ actionId: 'b', agentId: `p${round}-${i++}`, tenantId: 't', actionType: 'message', content });
    const rate = texts.length / ((cpuMs() - c0) / 1000);
    const lat: number[] = [];
    for (let k = 0; k < 5000; k++) {
      const t0 = performance.now();
      await s.judge.judge({ actionId: 'b', agentId: `k${round}-${k}`, tenantId: 't', actionType: 'message', content: kb });
      lat.push(performance.now() - t0);
    }
    lat.sort((a, b) => a - b);
    const r = results.get(s.name)!;
    if (round > 0) {
      // round 0 is warm-up (JIT, regex tier-up)
      r.rate.push(rate);
      r.p99.push(lat[Math.floor(lat.length * 0.99)]!);
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const [base, cur] = subjects.map((s) => results.get(s.name)!);
for (const s of subjects) {
  const r = results.get(s.name)!;
  process.stdout.write(`${s.name}: labelled prompts ${Math.round(median(r.rate))}/s/core (rounds ${r.rate.map(Math.round).join(', ')}), 1 KB p99 ${median(r.p99).toFixed(3)} ms (rounds ${r.p99.map((x) => x.toFixed(3)).join(', ')})\n`);
}
process.stdout.write(`ratio current/baseline: throughput ${(median(cur!.rate) / median(base!.rate)).toFixed(3)}, 1 KB p99 ${(median(cur!.p99) / median(base!.p99)).toFixed(3)}  (${texts.length} prompts)\n`);
