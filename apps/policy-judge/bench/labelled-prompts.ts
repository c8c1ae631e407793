import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadPolicy, loadTaxonomy } from '../src/adapters/policy-loader.js';
import { ensureRegExpTierUp } from '../src/adapters/regexp-engine.js';
import { loadSensitiveDataPort } from '../src/domain/detectors/sensitive-data.js';
import { createPolicyHandle } from '../src/domain/policy/policy-handle.js';
import { createStandaloneJudge } from '../src/domain/standalone-judge.js';

/**
 * The judge over the labelled prompt files, pass after pass, in one process: judgments per
 * second of CPU time (the figure the speed target is in), mean and p99 per pass. Every judgment
 * is a new agent (a repeating agent is soon quarantined and answered without scanning). Run two
 * builds alternately in separate processes to compare them.
 *
 *   npx tsx apps/policy-judge/bench/labelled-prompts.ts [--datasets ../shared/datasets] [--passes 4]
 *     [--regexp-tier-up]   V8's default regexp tiering, for comparison (the service turns it off)
 */
const { values } = parseArgs({
  options: {
    datasets: { type: 'string', default: process.env.NETHICAL_DATASETS ?? '../shared/datasets' },
    files: { type: 'string', default: 'labelled_prompts.jsonl,labelled_prompts_more.jsonl' },
    passes: { type: 'string', default: '4' },
    /** V8's regexp tier-up, as NETHICAL_JUDGE_REGEXP_TIER_UP (off by default, as in the service). */
    'regexp-tier-up': { type: 'boolean', default: false },
  },
});
const root = new URL('../../../', import.meta.url).pathname;
// A node start-up flag: the bench re-runs itself under the right one when started otherwise.
await ensureRegExpTierUp(values['regexp-tier-up']);
const policy = await loadPolicy(`${root}config/policies`);
const judge = createStandaloneJudge({
  policy: createPolicyHandle(policy),
  sensitiveData: await loadSensitiveDataPort(),
  taxonomy: await loadTaxonomy(`${root}config/taxonomy`),
  clock: () => 1_000,
  flags: {
    enableQuarantine: true,
    enableEthicalTaxonomy: true,
    enablePerformanceOptimization: true,
    enableShadowMode: false,
    enableMlBlending: false,
    redactionPolicy: 'standard',
  },
});
const texts: string[] = [];
for (const file of values.files.split(',')) {
  for (const line of readFileSync(`${values.datasets}/prompts/${file}`, 'utf8').split('\n'))
    if (line) texts.push((JSON.parse(line) as { text: string }).text);
}
let agent = 0;
for (let pass = 0; pass < Number(values.passes); pass++) {
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const content of texts) {
    const start = performance.now();
    await judge.judge({
      actionId: 'b',
      agentId: `a${agent++}`,
      tenantId: 't',
      actionType: 'message',
      content,
    });
    times.push(performance.now() - start);
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  const perCpuSecond = texts.length / ((cpu.user + cpu.system) / 1e6);
  process.stdout.write(
    `pass ${pass + 1}: ${texts.length} prompts, ${perCpuSecond.toFixed(0)}/s of CPU, ` +
      `${((texts.length / wallMs) * 1000).toFixed(0)}/s wall, mean ${(wallMs / texts.length).toFixed(3)} ms, ` +
      `p99 ${times[Math.floor(times.length * 0.99)]!.toFixed(3)} ms\n`,
  );
}
