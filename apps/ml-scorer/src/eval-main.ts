/** `npx nethical eval` (ML part): the shipped model on the held-out split of the labelled prompts. */
import path from 'node:path';
import { formatMlEvalReport, runMlEval } from './train/ml-eval';

const dataArg = process.argv.indexOf('--data');
const dir = path.resolve(dataArg > 0 ? process.argv[dataArg + 1]! : (process.env.NETHICAL_DATASETS ?? '../shared/datasets'));
process.stdout.write(`${formatMlEvalReport(await runMlEval(dir))}\n`);
