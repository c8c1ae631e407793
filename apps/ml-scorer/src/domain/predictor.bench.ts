/**
 * Inference speed on 1 KB texts (target ≥ 20,000 scores/s per core). Run:
 * `npx vitest bench --run apps/ml-scorer/src/domain/predictor.bench.ts`. Uses a synthetic model
 * and synthetic text (no dataset), at the shipped model's size (2^17 hashed weights).
 */
import { bench, describe } from 'vitest';
import type { AgentBaseline } from './anomaly';
import type { AnomalyStore } from './anomaly-store';
import type { RiskModel } from './model';
import { createPredictor } from './predictor';
import { createScorer } from './scorer';
import { STRUCTURAL_FEATURES } from './structural-features';
import { benchTexts } from './bench-texts';

const model: RiskModel = {
  modelVersion: 'bench',
  hashing: { hashBits: 17, charNgramMin: 3, charNgramMax: 5 },
  bias: -1,
  actionTypeBias: { message: 0, response: -0.5 },
  structural: Float64Array.from(STRUCTURAL_FEATURES, (_, i) => (i % 3) - 1),
  hashed: Float32Array.from({ length: 2 ** 17 }, (_, i) => Math.sin(i) / 4),
};

const texts = benchTexts(64);
const predictor = createPredictor(model);
let clockMs = 0;
const clock = { now: () => (clockMs += 1000) };
const scorer = createScorer({ model, anomalyStore: mapStore(), clock });
/** A plain Map store (domain code may not import adapters; the LRU store costs about the same). */
function mapStore(): AnomalyStore {
  const m = new Map<string, AgentBaseline>();
  return {
    update: async (id, step) => {
      const { next, result } = step(m.get(id));
      m.set(id, next);
      return result;
    },
    ping: async () => {},
  };
}
let n = 0;
// Long warm-up: JIT tiers need thousands of calls; the machine is shared, so figures are noisy.
const options = { time: 3_000, warmupTime: 1_000, warmupIterations: 5_000 };

describe('ml-scorer inference, 1 KB text', () => {
  bench(
    'predict (score only)',
    () => {
      predictor.predict(texts[n++ & 63]!, 'message');
    },
    options,
  );
  bench(
    'explain (score + top 5 features)',
    () => {
      predictor.explain(texts[n++ & 63]!, 'message', 5);
    },
    options,
  );
  bench(
    'scorer.score (explain + anomaly, memory store, 1,000 agents)',
    async () => {
      await scorer.score({
        agentId: `agent-${n % 1000}`,
        content: texts[n++ & 63]!,
        actionType: 'message',
      });
    },
    options,
  );
});
