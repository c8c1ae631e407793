/**
 * `npx nethical <command>`: the operator's tool.
 *
 *   start                    run the whole mesh (same as `npm start`)
 *   eval --data <dir>        detection quality on labelled data (judge, PII/secrets, ML)
 *   explain <text | ->       why the policy flags a text or not: findings, and what excused a rule
 *   verify inclusion|consistency   check proofs and signed checkpoints offline
 *   audit verify             re-read the audit log from PostgreSQL and check it against the tree
 *   load                     open-loop load generator (see perf/README.md)
 *   regions up|down|status   three regions on this machine behind HAProxy (docs/regions.md)
 */
import { judgeNodeFlags } from '@nethical/platform';
import { Command } from 'commander';
import { registerAuditCommands } from './commands/audit/audit-commands';
import { registerRegionsCommands } from './commands/regions/regions-commands';
import { registerVerifyCommands } from './commands/verify/verify-commands';
import { delegate } from './delegate';

const program = new Command('nethical')
  .description('Nethical: govern AI agent actions')
  .showHelpAfterError();

const passthrough = (name: string, description: string, script: string) =>
  program
    .command(name)
    .description(description)
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(async (_opts, cmd: Command) => {
      process.exitCode = await delegate(script, cmd.args);
    });

passthrough(
  'start',
  'run all six services (flags: --env-file, --port, --logs)',
  'apps/cli/src/start-mesh.ts',
);
program
  .command('explain')
  .description(
    'why the policy flags a text or not: the decision, its findings, and every rule an excuse kept from firing: <text | -> [--type <action type>] [--json]',
  )
  .allowUnknownOption()
  .allowExcessArguments()
  .helpOption(false)
  .action(async (_opts, cmd: Command) => {
    process.exitCode = await delegate(
      'apps/policy-judge/src/explain-main.ts',
      cmd.args,
      judgeNodeFlags(process.env),
    );
  });
program
  .command('eval')
  .description(
    'detection quality on labelled data: --data <dir> [--json <file>] [--check] [--untiered]',
  )
  .allowUnknownOption()
  .allowExcessArguments()
  .helpOption(false)
  .action(async (_opts, cmd: Command) => {
    // The judge's evaluation runs regexps as the service does (a start-up flag; the script
    // re-runs itself when started otherwise, which this saves).
    const judge = await delegate(
      'apps/policy-judge/src/eval/main.ts',
      cmd.args,
      judgeNodeFlags(process.env),
    );
    // `--help` is answered by the judge's entry point alone: running the ML evaluation after the
    // help text would take minutes and print reports nobody asked for.
    if (cmd.args.includes('--help') || cmd.args.includes('-h')) {
      process.exitCode = judge;
      return;
    }
    const ml = await delegate('apps/ml-scorer/src/eval-main.ts', cmd.args);
    process.exitCode = judge || ml;
  });
passthrough('load', 'open-loop load generator (--help for flags)', 'perf/load/main.ts');
registerVerifyCommands(program);
registerAuditCommands(program);
registerRegionsCommands(program);

await program.parseAsync();
