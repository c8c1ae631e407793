/**
 * Scores examples with a model and computes per-set metrics. Shared by the training report and
 * `runMlEval`, so both report exactly the same numbers for the same model and split.
 */
import { createPredictor } from '../domain/predictor';
import type { RiskModel } from '../domain/model';
import type { Example } from './dataset';
import { setMetrics, type Scored, type SetMetrics } from './metrics';

/** The false-positive rate at which recall is reported. */
export const TARGET_FPR = 0.03;

/** Metrics on the prompt (message) and output (response) parts of a split, and both pooled. */
export interface SplitMetrics {
  prompts: SetMetrics;
  responses: SetMetrics;
  pooled: SetMetrics;
}

/** Scores every example (in order). */
export function scoreExamples(model: RiskModel, examples: readonly Example[]): Scored[] {
  const predictor = createPredictor(model);
  return examples.map((ex) => ({
    score: predictor.predict(ex.text, ex.actionType).score,
    label: ex.label,
    category: ex.category,
  }));
}

/** Metrics for a set of examples, split by action type. */
export function evaluateExamples(
  model: RiskModel,
  examples: readonly Example[],
  targetFpr = TARGET_FPR,
): SplitMetrics {
  const scored = scoreExamples(model, examples);
  const prompts = scored.filter((_, i) => examples[i]!.actionType === 'message');
  const responses = scored.filter((_, i) => examples[i]!.actionType === 'response');
  return {
    prompts: setMetrics(prompts, targetFpr),
    responses: setMetrics(responses, targetFpr),
    pooled: setMetrics(scored, targetFpr),
  };
}
