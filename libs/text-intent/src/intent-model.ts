/**
 * The intent model: logistic regression over hashed word features (`word-features.ts`).
 * `score = sigmoid(bias + Σ w[bucket] · value)`. Weights are stored as int8 with one scale, in
 * base64, with a SHA-256 of the bytes; the file carries no training text (hashed features only).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { createWordFeatures } from './word-features.js';

/** Model file format name. */
export const INTENT_MODEL_FORMAT = 'nethical.text-intent.v1';

const modelFileSchema = z.object({
  format: z.literal(INTENT_MODEL_FORMAT),
  /** e.g. `prompt-intent-v1`. */
  modelVersion: z.string().min(1),
  hashBits: z.number().int().min(10).max(22),
  bias: z.number(),
  /** Weight = int8 · scale. */
  scale: z.number().positive(),
  weightsBase64: z.string(),
  weightsSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Thresholds chosen from cross-source (held-out source) scores, see docs/ml.md. */
  thresholds: z.object({ warn: z.number().min(0).max(1), block: z.number().min(0).max(1) }),
  /** Numbers and ids only (sources, counts, options). */
  training: z.record(z.string(), z.unknown()),
});

/** The contents of a model file. */
export type IntentModelFile = z.infer<typeof modelFileSchema>;

/** A loaded model: `score(text)` in [0, 1]. */
export interface IntentModel {
  readonly modelVersion: string;
  readonly thresholds: { warn: number; block: number };
  score(text: string): number;
}

/** Builds a scorer from raw weights (training and evaluation use this without quantising). */
export function createIntentModel(
  modelVersion: string,
  hashBits: number,
  bias: number,
  weights: Float32Array,
  thresholds: { warn: number; block: number },
): IntentModel {
  if (weights.length !== 2 ** hashBits) throw new Error(`expected ${2 ** hashBits} weights, got ${weights.length}`);
  const features = createWordFeatures(hashBits);
  return {
    modelVersion,
    thresholds,
    score(text: string): number {
      const f = features.extract(text);
      let z = bias;
      for (let i = 0; i < f.count; i++) z += weights[f.index[i]!]! * f.value[i]!;
      return 1 / (1 + Math.exp(-z));
    },
  };
}

/** Validates and loads a parsed model file; throws on a schema or checksum mismatch. */
export function loadIntentModel(json: unknown): IntentModel {
  const file = modelFileSchema.parse(json);
  const bytes = Buffer.from(file.weightsBase64, 'base64');
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== file.weightsSha256) throw new Error(`${file.modelVersion}: weights checksum mismatch`);
  const q = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const weights = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) weights[i] = q[i]! * file.scale;
  return createIntentModel(file.modelVersion, file.hashBits, file.bias, weights, file.thresholds);
}

/** Serialises weights (quantised to int8) into a model file. */
export function toModelFile(
  modelVersion: string,
  hashBits: number,
  bias: number,
  weights: Float32Array,
  thresholds: { warn: number; block: number },
  training: Record<string, unknown>,
): IntentModelFile {
  let max = 0;
  for (const w of weights) max = Math.max(max, Math.abs(w));
  const scale = max === 0 ? 1 : max / 127;
  const q = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) q[i] = Math.round(weights[i]! / scale);
  const bytes = Buffer.from(q.buffer, q.byteOffset, q.byteLength);
  return {
    format: INTENT_MODEL_FORMAT,
    modelVersion,
    hashBits,
    bias,
    scale,
    weightsBase64: bytes.toString('base64'),
    weightsSha256: createHash('sha256').update(bytes).digest('hex'),
    thresholds,
    training,
  };
}
