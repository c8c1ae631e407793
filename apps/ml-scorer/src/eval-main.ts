/**
 * `npx nethical eval` (ML part): the shipped risk model on the held-out split of the labelled
 * prompts, and the leave-one-source-out check of the intent model.
 */
import path from 'node:path';
import { formatIntentCrossSource, runIntentCrossSource } from './train/intent-cross-source';
import { formatMlEvalReport, runMlEval } from './train/ml-eval';

const dataArg = process.argv.indexOf('--data');
const dir = path.resolve(dataArg > 0 ? process.argv[dataArg + 1]! : (process.env.NETHICAL_DATASETS ?? '../shared/datasets'));
process.stdout.write(`${formatMlEvalReport(await runMlEval(dir))}\n\n`);
process.stdout.write(`${formatIntentCrossSource(runIntentCrossSource(dir))}\n`);
