/**
 * Standalone entry of the open-loop load generator:
 *   npx tsx perf/load/main.ts load --rps 100 --duration 60 --output .data/perf/run.csv
 * (the `load` word is optional).
 */
import { Command } from 'commander';
import { registerLoadCommand } from './load-command';

const program = new Command('nethical-perf').description('Nethical load tools');
registerLoadCommand(program);
const argv = process.argv.slice(2);
await program.parseAsync(
  argv[0] === 'load' || argv[0] === 'help' || argv[0]?.startsWith('-h') ? argv : ['load', ...argv],
  { from: 'user' },
);
