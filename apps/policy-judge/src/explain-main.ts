/**
 * `npx nethical explain [--type message] [--json] <text | ->`: what the shipped policy makes of
 * one text. The decision and its findings (as the judge gives them: quarantine off, a new agent),
 * then every rule whose signals all fired but which an excuse kept from firing, with the excuse:
 * a context in the text or sentence, a safe sense of a word, a defensive clause, a fictional or
 * lawful framing. For policy authors and operators asking why a text was, or was not, flagged.
 * `-` reads the text from standard input.
 */
import { loadConfig } from '@nethical/platform';
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicy, loadTaxonomy } from './adapters/policy-loader.js';
import { ensureRegExpTierUp } from './adapters/regexp-engine.js';
import { explainDetectors } from './domain/explain.js';
import { loadSensitiveDataPort } from './domain/detectors/sensitive-data.js';
import { ACTION_TYPE_NAMES, type ActionTypeName, type Span } from './domain/finding.js';
import { createPolicyHandle } from './domain/policy/policy-handle.js';
import { createStandaloneJudge } from './domain/standalone-judge.js';

// Regexps run as in the service (a node start-up flag, NETHICAL_JUDGE_REGEXP_TIER_UP).
await ensureRegExpTierUp(loadConfig().config.NETHICAL_JUDGE_REGEXP_TIER_UP);

const program = new Command('nethical explain')
  .argument('<text>', "the text to judge, or '-' to read it from standard input")
  .option('--type <action type>', `action type: ${ACTION_TYPE_NAMES.join(', ')}`, 'message')
  .option('--json', 'print the explanation as JSON', false)
  .option('--policy-dir <dir>', 'policy folder (default: the shipped policy)')
  .showHelpAfterError()
  .parse();
const opts = program.opts<{ type: string; json: boolean; policyDir?: string }>();
const arg = program.args[0] ?? '';
if (!(ACTION_TYPE_NAMES as readonly string[]).includes(opts.type)) {
  program.error(`--type must be one of ${ACTION_TYPE_NAMES.join(', ')} (got '${opts.type}')`);
}
const actionType = opts.type as ActionTypeName;
const content = arg === '-' ? readFileSync(0, 'utf8') : arg;
if (content.length === 0) program.error('the text is empty');

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const policy = await loadPolicy(opts.policyDir ?? join(repoRoot, 'config/policies'));
const judge = createStandaloneJudge({
  policy: createPolicyHandle(policy),
  sensitiveData: await loadSensitiveDataPort(),
  taxonomy: await loadTaxonomy(join(repoRoot, 'config/taxonomy')),
  clock: () => Date.now(),
  newId: () => 'explain',
  flags: {
    enableQuarantine: false,
    enableEthicalTaxonomy: true,
    enablePerformanceOptimization: true,
    enableShadowMode: false,
    enableMlBlending: false,
    redactionPolicy: 'standard',
  },
});
const out = await judge.judge({
  actionId: 'explain',
  agentId: 'explain',
  tenantId: 'explain',
  actionType,
  content,
});
const { excused } = explainDetectors(content, actionType, policy);

const quote = (s: Span) => JSON.stringify(content.slice(s.start, s.end));
if (opts.json) {
  const withText = (s: Span) => ({ ...s, text: content.slice(s.start, s.end) });
  process.stdout.write(
    `${JSON.stringify(
      {
        policy: out.policyRevision,
        decision: out.decision,
        riskScore: out.riskScore,
        findings: out.findings.map((f) => ({ ...f, spans: f.spans.map(withText) })),
        excused: excused.map((e) => ({
          ...e,
          spans: e.spans.map(withText),
          excuses: e.excuses.map((x) => ({ ...x, span: withText(x.span) })),
        })),
      },
      null,
      2,
    )}\n`,
  );
} else {
  const lines = [
    `policy ${out.policyRevision}  action type ${actionType}`,
    `decision ${out.decision}  risk ${out.riskScore.toFixed(3)}`,
    '',
    out.findings.length ? 'findings' : 'findings: none',
    ...out.findings.map(
      (f) =>
        `  ${f.detector} ${f.category} ${f.severity} (${f.confidence.toFixed(2)}): ${f.reason}\n    at ${f.spans.map(quote).join(', ')}`,
    ),
    '',
    excused.length ? 'excused (every signal fired; an excuse took the hits away)' : 'excused: none',
    ...excused.map(
      (e) =>
        `  ${e.detector}/${e.rule} ${e.category} at ${e.spans.map(quote).join(', ')}\n${e.excuses
          .map((x) => `    by ${x.kind} '${x.signal}': ${quote(x.span)}`)
          .join('\n')}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
