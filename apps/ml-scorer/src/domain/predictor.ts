/**
 * Inference: `sigmoid(bias + actionBias + w_s·structural + Σ w[h(ngram)]·x)`. Pure TypeScript:
 * the model is one dot product over a sparse vector, which is a dozen lines; the JS ML libraries
 * (ml-logistic-regression, TensorFlow.js, onnxruntime-node) either want dense matrices or bring
 * a native runtime far heavier than the math, and none reads hashed sparse features.
 */
import type { ActionTypeName } from './action-type';
import {
  createFeatureExtractor,
  FEATURE_KIND_NAMES,
  STRUCTURAL_FEATURES,
  type FeatureVector,
} from './features';
import type { RiskModel } from './model';

/** One feature's share of the logit (positive = pushes towards risky). */
export interface FeatureContribution {
  /** `char:"…"`, `word:"…"`, `word2:"… …"`, `struct:<name>` or `action:<type>`. */
  feature: string;
  weight: number;
}

/** A scored text. */
export interface Prediction {
  /** Probability the action is risky, in [0, 1]. */
  score: number;
  /** The raw logit (log-odds). */
  logit: number;
}

/** Scores texts with one model; owns scratch buffers, so keep one per scorer (not re-entrant). */
export interface Predictor {
  readonly model: RiskModel;
  predict(content: string, actionType: ActionTypeName): Prediction;
  /** Like `predict`, plus the `k` largest positive contributions (merged per hashed bucket). */
  explain(
    content: string,
    actionType: ActionTypeName,
    k: number,
  ): Prediction & { topFeatures: FeatureContribution[] };
}

/** Logistic function, stable for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** The action type's bias; types unseen in training share the `message` offset (the proto default). */
export function actionBias(model: RiskModel, actionType: ActionTypeName): number {
  return model.actionTypeBias[actionType] ?? model.actionTypeBias.message ?? 0;
}

/** Logit of an already extracted vector (shared by inference and training-time evaluation). */
export function logitOf(model: RiskModel, v: FeatureVector, actionType: ActionTypeName): number {
  let z = model.bias + actionBias(model, actionType);
  for (let j = 0; j < model.structural.length; j++) z += model.structural[j]! * v.structural[j]!;
  const w = model.hashed;
  for (let i = 0; i < v.count; i++) z += w[v.index[i]!]! * v.value[i]!;
  return z;
}

/** Creates a predictor for `model`. */
export function createPredictor(model: RiskModel): Predictor {
  const extractor = createFeatureExtractor(model.hashing);
  // Per-bucket contribution accumulator; only touched buckets are reset after each call.
  const perBucket = new Float64Array(model.hashed.length);
  const firstSeen = new Int32Array(model.hashed.length).fill(-1);
  let touched = new Int32Array(4096);

  return {
    model,
    predict(content, actionType) {
      // Fast path: weights summed while hashing, nothing stored (see FeatureExtractor.dot).
      let logit = model.bias + actionBias(model, actionType) + extractor.dot(content, model.hashed);
      const s = extractor.structural;
      for (let j = 0; j < model.structural.length; j++) logit += model.structural[j]! * s[j]!;
      return { score: sigmoid(logit), logit };
    },
    explain(content, actionType, k) {
      const v = extractor.extract(content, true);
      const logit = logitOf(model, v, actionType);
      if (touched.length < v.count) touched = new Int32Array(v.count);
      let nTouched = 0;
      for (let i = 0; i < v.count; i++) {
        const b = v.index[i]!;
        if (firstSeen[b] === -1) {
          firstSeen[b] = i;
          touched[nTouched++] = b;
        }
        perBucket[b] = perBucket[b]! + model.hashed[b]! * v.value[i]!;
      }
      const candidates: FeatureContribution[] = [];
      const consider = (feature: () => string, weight: number): void => {
        if (weight <= 0) return;
        if (candidates.length === k && weight <= candidates[k - 1]!.weight) return;
        candidates.push({ feature: feature(), weight });
        candidates.sort((a, b) => b.weight - a.weight);
        if (candidates.length > k) candidates.pop();
      };
      if (k > 0) {
        for (let t = 0; t < nTouched; t++) {
          const b = touched[t]!;
          const i = firstSeen[b]!;
          consider(() => {
            const start = v.start[i]!;
            return `${FEATURE_KIND_NAMES[v.kind[i]!]}:${JSON.stringify(v.text.slice(start, start + v.length[i]!))}`;
          }, perBucket[b]!);
        }
        for (let j = 0; j < model.structural.length; j++) {
          consider(
            () => `struct:${STRUCTURAL_FEATURES[j]}`,
            model.structural[j]! * v.structural[j]!,
          );
        }
        consider(() => `action:${actionType}`, actionBias(model, actionType));
      }
      for (let t = 0; t < nTouched; t++) {
        const b = touched[t]!;
        perBucket[b] = 0;
        firstSeen[b] = -1;
      }
      return { score: sigmoid(logit), logit, topFeatures: candidates };
    },
  };
}
