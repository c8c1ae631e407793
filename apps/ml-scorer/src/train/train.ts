/**
 * Trains the risk model: `npx tsx apps/ml-scorer/src/train/train.ts --data ../shared/datasets
 * --out apps/ml-scorer/models/risk-lr-v1.json`. Prints the held-out report; writes the model file.
 */
import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { serializeModel } from '../domain/model';
import { datasetsAvailable, defaultDatasetsDir, loadExamples } from './dataset';
import { formatMlEvalReport } from './ml-eval';
import { runTrainingPipeline } from './train-pipeline';

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('not an integer');
  return n;
};
const numbers = (v: string): number[] => {
  const list = v.split(',').map(Number);
  if (list.some((n) => !(n > 0)))
    throw new InvalidArgumentError('expected positive numbers, comma-separated');
  return list;
};

const program = new Command()
  .name('train')
  .description(
    'Train the ml-scorer risk model on the TRAIN split and report on the held-out split.',
  )
  .option('--data <dir>', 'datasets folder (default: $NETHICAL_DATASETS or ../shared/datasets)')
  .requiredOption('--out <file>', 'model JSON to write, e.g. apps/ml-scorer/models/risk-lr-v1.json')
  .option('--model-version <v>', 'model_version recorded with every score', 'risk-lr-v1')
  .option('--hash-bits <n>', 'log2 of the hashed weight count', int, 18)
  .option('--char-ngrams <min,max>', 'character n-gram lengths', '3,5')
  .option(
    '--l2 <list>',
    'candidate L2 strengths (best validation AUC wins)',
    numbers,
    [1e-5, 3e-5, 1e-4, 3e-4],
  )
  .option('--max-iterations <n>', 'L-BFGS iteration cap', int, 200);

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{
    data?: string;
    out: string;
    modelVersion: string;
    hashBits: number;
    charNgrams: string;
    l2: number[];
    maxIterations: number;
  }>();
  const dir = opts.data ?? defaultDatasetsDir();
  if (!(await datasetsAvailable(dir))) {
    process.stderr.write(`no datasets at ${dir}: nothing to train on\n`);
    process.exitCode = 2;
    return;
  }
  const [charNgramMin = 3, charNgramMax = 5] = opts.charNgrams.split(',').map(Number);
  const result = runTrainingPipeline(await loadExamples(dir), {
    modelVersion: opts.modelVersion,
    hashing: { hashBits: opts.hashBits, charNgramMin, charNgramMax },
    l2Grid: opts.l2,
    maxIterations: opts.maxIterations,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  await writeFile(
    opts.out,
    `${JSON.stringify(serializeModel(result.model, new Date().toISOString()), null, 1)}\n`,
  );
  process.stdout.write(
    `chose l2=${result.l2}; wrote ${opts.out}\n` +
      `${formatMlEvalReport({ datasetsDir: dir, modelVersion: result.model.modelVersion, split: 'test', metrics: result.test })}\n`,
  );
}

await main();
