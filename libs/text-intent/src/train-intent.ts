/**
 * Fits the intent model: L2-regularised logistic regression by AdaGrad over a fixed,
 * seeded order (deterministic). Hand-written because the JS regression libraries take dense
 * matrices, and this one must also run inside the evaluation (one fit per held-out source, in
 * well under a second each). Rows are weighted so each source counts about equally within
 * its class, so no single large source decides what "attack" means.
 */
import { createIntentModel, type IntentModel } from './intent-model.js';
import { createWordFeatures } from './word-features.js';

/** One labelled training text. */
export interface IntentExample {
  text: string;
  label: 0 | 1;
  /** Where the row comes from; rows are balanced across sources within a class. */
  source: string;
}

/** Training options. */
export interface IntentTrainOptions {
  hashBits?: number;
  epochs?: number;
  l2?: number;
  learningRate?: number;
  seed?: number;
}

/** The fitted weights (raw, not quantised). */
export interface IntentFit {
  hashBits: number;
  bias: number;
  weights: Float32Array;
  model(thresholds?: { warn: number; block: number }, modelVersion?: string): IntentModel;
}

/** Deterministic 32-bit generator (mulberry32) for the example order. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fits weights to `examples`. */
export function trainIntent(examples: readonly IntentExample[], options: IntentTrainOptions = {}): IntentFit {
  const hashBits = options.hashBits ?? 18;
  const epochs = options.epochs ?? 12;
  const l2 = options.l2 ?? 1e-6;
  const lr = options.learningRate ?? 0.5;
  const features = createWordFeatures(hashBits);
  const rows = examples.map((ex) => {
    const f = features.extract(ex.text);
    return { index: f.index.slice(0, f.count), value: f.value.slice(0, f.count), label: ex.label, source: ex.source };
  });
  // Source balance: weight ∝ 1/√(rows of the same source and class), classes equal in total.
  const perKey = new Map<string, number>();
  for (const r of rows) perKey.set(`${r.label}|${r.source}`, (perKey.get(`${r.label}|${r.source}`) ?? 0) + 1);
  const raw = rows.map((r) => 1 / Math.sqrt(perKey.get(`${r.label}|${r.source}`)!));
  const classTotal = [0, 0];
  rows.forEach((r, i) => (classTotal[r.label]! += raw[i]!));
  const weightOf = rows.map((r, i) => (raw[i]! * rows.length) / (2 * Math.max(classTotal[r.label]!, 1e-9)));

  const w = new Float32Array(2 ** hashBits);
  const g2 = new Float32Array(2 ** hashBits).fill(1e-8);
  let bias = 0;
  let g2b = 1e-8;
  const order = rows.map((_, i) => i);
  const next = rng(options.seed ?? 13);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const k of order) {
      const r = rows[k]!;
      let z = bias;
      for (let i = 0; i < r.index.length; i++) z += w[r.index[i]!]! * r.value[i]!;
      const p = 1 / (1 + Math.exp(-z));
      const err = (p - r.label) * weightOf[k]!;
      g2b += err * err;
      bias -= (lr * err) / Math.sqrt(g2b);
      for (let i = 0; i < r.index.length; i++) {
        const b = r.index[i]!;
        const g = err * r.value[i]! + l2 * w[b]!;
        g2[b] = g2[b]! + g * g;
        w[b] = w[b]! - (lr * g) / Math.sqrt(g2[b]!);
      }
    }
  }
  return {
    hashBits,
    bias,
    weights: w,
    model: (thresholds = { warn: 0.5, block: 0.9 }, modelVersion = 'unshipped') => createIntentModel(modelVersion, hashBits, bias, w, thresholds),
  };
}
