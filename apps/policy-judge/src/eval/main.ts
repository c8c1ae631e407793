/**
 * `npx nethical eval --data <datasets dir>`: the judge's detection quality on labelled data —
 * every labelled file on its own (both prompt files and the outputs), by category and by source,
 * the cross-source view (each source scored by a judge tuned without it), and PII/secrets —
 * against the targets of the judge. Absent files are skipped and named. `--check` exits 1 when a
 * target is missed; `--json <file>` writes the full reports.
 */
import { loadConfig } from '@nethical/platform';
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureRegExpTierUp } from '../adapters/regexp-engine';
import { crossSourceChecks, crossSourceOf, formatCrossSource } from './cross-source';
import { formatPiiSecretsEvalReport, runPiiSecretsEval } from './pii-secrets-eval';
import { formatPromptEvalReport, loadEvalSetup, runPromptEval } from './prompt-eval';
import { evalTargets, targetChecks, type TargetCheck } from './targets';

export { evalTargets as targets };

// Regexps run as in the service (a node start-up flag, NETHICAL_JUDGE_REGEXP_TIER_UP).
await ensureRegExpTierUp(loadConfig().config.NETHICAL_JUDGE_REGEXP_TIER_UP);

const opts = new Command('nethical eval')
  .option('--data <dir>', 'datasets folder', process.env.NETHICAL_DATASETS ?? '../shared/datasets')
  .option('--json <file>', 'write the reports as JSON')
  .option('--check', 'exit 1 when a target is missed', false)
  .option('--untiered', 'run every detector on every item (no performance optimisation)', false)
  .allowUnknownOption()
  .parse()
  .opts<{ data: string; json?: string; check: boolean; untiered: boolean }>();

const dir = path.resolve(opts.data);
if (!existsSync(dir)) {
  process.stdout.write(`no datasets at ${dir}: nothing to evaluate\n`);
  process.exit(0);
}
const setup = await loadEvalSetup({ tiered: !opts.untiered });
const prompts = await runPromptEval(dir, {}, setup);
process.stdout.write(`${formatPromptEvalReport(prompts)}\n\n`);
const cross = crossSourceOf(prompts.judged);
process.stdout.write(`${formatCrossSource(cross)}\n\n`);
const privacy = await runPiiSecretsEval(dir);
process.stdout.write(`${formatPiiSecretsEvalReport(privacy)}\n\n`);

const checks: TargetCheck[] = [...targetChecks(prompts, privacy), ...crossSourceChecks(cross)];
let missed = 0;
process.stdout.write('targets\n');
for (const c of checks) {
  if (!c.pass) missed += 1;
  process.stdout.write(`  ${c.pass ? 'PASS' : 'MISS'}  ${c.name.padEnd(58)} ${c.value === null ? 'n/a' : `${(c.value * 100).toFixed(1)}%`}  (target ${c.target})\n`);
}
if (opts.json) await writeFile(opts.json, JSON.stringify({ prompts: { ...prompts, judged: undefined }, cross, privacy }, null, 2));
if (opts.check && missed > 0) process.exitCode = 1;
