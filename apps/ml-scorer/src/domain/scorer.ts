/**
 * The ml-scorer domain service: risk score from the model, `top_features` explanation, and the
 * per-agent anomaly verdict. `main.ts` builds one with `createScorer` and the RPC handler calls
 * `score` per request.
 */
import type { ActionTypeName } from './action-type';
import { DEFAULT_ANOMALY_OPTIONS, observeAction, type AnomalyOptions } from './anomaly';
import type { AnomalyStore } from './anomaly-store';
import type { Clock } from './clock';
import type { RiskModel } from './model';
import { createPredictor, type FeatureContribution } from './predictor';

/** One action to score. */
export interface ScoreInput {
  agentId: string;
  content: string;
  actionType: ActionTypeName;
}

/** The verdict on one action (mirrors `nethical.ml.v1.ScoreResponse`). */
export interface ScoreResult {
  /** Probability the action is risky, in [0, 1]. */
  score: number;
  modelVersion: string;
  anomaly: boolean;
  /** In [0, 1]; 0.5 at the anomaly threshold. */
  anomalyScore: number;
  /** False when the anomaly store failed and `degradeOnStoreError` let the score through without it. */
  anomalyAvailable: boolean;
  /** Largest positive contributions to the logit, largest first. */
  topFeatures: FeatureContribution[];
}

/** Health of one component. */
export interface ComponentHealth {
  ok: boolean;
  detail: string;
}

/** The scorer. */
export interface Scorer {
  score(input: ScoreInput): Promise<ScoreResult>;
  /** One entry per component (`model`, `anomalyStore`). */
  health(): Promise<Record<string, ComponentHealth>>;
}

/** Dependencies and settings of `createScorer`. */
export interface ScorerDeps {
  model: RiskModel;
  anomalyStore: AnomalyStore;
  clock: Clock;
  anomaly?: Partial<AnomalyOptions>;
  /** How many `top_features` to return (default 5; 0 skips the explanation work). */
  topFeatures?: number;
  /**
   * Explain only actions scoring at least this (default 0: always). Explaining costs about as
   * much again as scoring (a second pass that keeps spans); raising this keeps benign traffic on
   * the fast path, and a benign score's "top features" say little anyway.
   */
  explainMinScore?: number;
  /**
   * Longer contents are scored but not explained (default 65,536 chars): the explaining pass
   * keeps ~20 bytes per n-gram in buffers that are reused, so this bounds their memory.
   */
  maxExplainChars?: number;
  /**
   * When the anomaly store fails: true (default) returns the model score with
   * `anomalyAvailable: false` (the score does not depend on the store); false rethrows.
   */
  degradeOnStoreError?: boolean;
  /** Told about store failures that were degraded (log them here). */
  onStoreError?: (error: unknown) => void;
}

/** Creates a scorer. */
export function createScorer(deps: ScorerDeps): Scorer {
  const predictor = createPredictor(deps.model);
  const options: AnomalyOptions = { ...DEFAULT_ANOMALY_OPTIONS, ...deps.anomaly };
  const k = deps.topFeatures ?? 5;
  const degrade = deps.degradeOnStoreError ?? true;
  const explainMin = deps.explainMinScore ?? 0;
  const maxExplainChars = deps.maxExplainChars ?? 65_536;

  return {
    async score({ agentId, content, actionType }) {
      // The model runs synchronously first: its result never waits on, or depends on, the store.
      // With a minimum, score on the fast path first and explain only above it; otherwise one
      // explaining pass gives both.
      const explainable = k > 0 && content.length <= maxExplainChars;
      const fast =
        explainable && explainMin <= 0 ? undefined : predictor.predict(content, actionType);
      const { score, topFeatures } =
        fast === undefined || (explainable && fast.score >= explainMin)
          ? predictor.explain(content, actionType, k)
          : { ...fast, topFeatures: [] };
      const obs = { score, size: content.length, atMs: deps.clock.now() };
      try {
        const verdict = await deps.anomalyStore.update(agentId, (prev) => {
          const { next, verdict } = observeAction(prev, obs, options);
          return { next, result: verdict };
        });
        return {
          score,
          modelVersion: deps.model.modelVersion,
          anomaly: verdict.anomaly,
          anomalyScore: verdict.anomalyScore,
          anomalyAvailable: true,
          topFeatures,
        };
      } catch (error) {
        if (!degrade) throw error;
        deps.onStoreError?.(error);
        return {
          score,
          modelVersion: deps.model.modelVersion,
          anomaly: false,
          anomalyScore: 0,
          anomalyAvailable: false,
          topFeatures,
        };
      }
    },
    async health() {
      const model: ComponentHealth = { ok: true, detail: deps.model.modelVersion };
      try {
        await deps.anomalyStore.ping();
        return { model, anomalyStore: { ok: true, detail: 'reachable' } };
      } catch (error) {
        return {
          model,
          anomalyStore: {
            ok: false,
            detail: error instanceof Error ? error.message : String(error),
          },
        };
      }
    },
  };
}
