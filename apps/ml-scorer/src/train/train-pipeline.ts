/**
 * The training procedure: extract features of the TRAIN split, choose the L2 strength on the
 * validation split, refit on train + validation, and report on the held-out TEST split (which
 * never influences any choice). The resulting model carries only numbers and ids, no text.
 */
import {
  createFeatureExtractor,
  STRUCTURAL_FEATURES,
  type HashingConfig,
} from '../domain/features';
import type { RiskModel } from '../domain/model';
import type { Example } from './dataset';
import { evaluateExamples, TARGET_FPR, type SplitMetrics } from './evaluate';
import { trainLogistic, type TrainingRow } from './logistic-trainer';
import { SPLIT_SPEC } from './split';

/** Settings of one training run. */
export interface PipelineOptions {
  modelVersion: string;
  hashing: HashingConfig;
  /**
   * Candidate L2 strengths. The STRONGEST one whose validation AUC (pooled) is within
   * `aucTolerance` of the best wins: the sealed hold-out is a different distribution than our
   * validation split, so among near-equal fits we take the most regularised.
   */
  l2Grid: readonly number[];
  /** How much validation AUC we trade for regularisation (default 0.005). */
  aucTolerance?: number;
  maxIterations?: number;
  log?: (line: string) => void;
}

/** The trained model and what was measured on the way. */
export interface PipelineResult {
  model: RiskModel;
  l2: number;
  validationAuc: Record<string, number>;
  test: SplitMetrics;
  counts: { train: number; validation: number; test: number };
}

function toRows(examples: readonly Example[], hashing: HashingConfig): TrainingRow[] {
  const extractor = createFeatureExtractor(hashing);
  return examples.map((ex) => {
    const v = extractor.extract(ex.text);
    return {
      index: v.index.slice(0, v.count),
      value: v.value.slice(0, v.count),
      structural: v.structural.slice(),
      actionType: ex.actionType,
      label: ex.label,
    };
  });
}

/** Trains, selects λ, refits and evaluates. */
export function runTrainingPipeline(
  examples: readonly Example[],
  options: PipelineOptions,
): PipelineResult {
  const log = options.log ?? (() => {});
  const train = examples.filter((e) => e.split === 'train');
  const validation = examples.filter((e) => e.split === 'validation');
  const test = examples.filter((e) => e.split === 'test');
  log(
    `split: train ${train.length}, validation ${validation.length}, test ${test.length} (held out)`,
  );

  const trainRows = toRows(train, options.hashing);
  const validationAuc: Record<string, number> = {};
  const fits: { l2: number; auc: number }[] = [];
  for (const l2 of options.l2Grid) {
    const fit = trainLogistic(
      trainRows,
      options.hashing,
      STRUCTURAL_FEATURES.length,
      options.modelVersion,
      {
        l2,
        ...(options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations }),
      },
    );
    const auc = evaluateExamples(fit.model, validation).pooled.auc;
    validationAuc[String(l2)] = auc;
    log(
      `l2=${l2}: ${fit.iterations} iterations, loss ${fit.finalLoss.toFixed(4)}, validation AUC ${auc.toFixed(4)}`,
    );
    fits.push({ l2, auc });
  }
  const bestAuc = Math.max(...fits.map((f) => f.auc));
  const tolerance = options.aucTolerance ?? 0.005;
  const best = fits.filter((f) => f.auc >= bestAuc - tolerance).sort((a, b) => b.l2 - a.l2)[0];
  if (best === undefined) throw new Error('empty l2 grid');

  const finalRows = trainRows.concat(toRows(validation, options.hashing));
  const final = trainLogistic(
    finalRows,
    options.hashing,
    STRUCTURAL_FEATURES.length,
    options.modelVersion,
    {
      l2: best.l2,
      ...(options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations }),
    },
  );
  const testMetrics = evaluateExamples(final.model, test);
  const model: RiskModel = {
    ...final.model,
    training: {
      algorithm: 'logistic-regression-lbfgs-l2',
      l2: best.l2,
      iterations: final.iterations,
      split: { ...SPLIT_SPEC, trainedOn: ['train', 'validation'], reportedOn: 'test' },
      counts: { train: train.length, validation: validation.length, test: test.length },
      heldOut: {
        targetFpr: TARGET_FPR,
        promptsAuc: testMetrics.prompts.auc,
        promptsRecallAtFpr: testMetrics.prompts.recallAtFpr,
        responsesAuc: testMetrics.responses.auc,
        responsesRecallAtFpr: testMetrics.responses.recallAtFpr,
      },
    },
  };
  return {
    model,
    l2: best.l2,
    validationAuc,
    test: testMetrics,
    counts: { train: train.length, validation: validation.length, test: test.length },
  };
}
