/**
 * The risk model: logistic regression over hashed n-grams and named structural features, shipped
 * as one versioned JSON file. Hashed weights are a base64 little-endian float32 array with a
 * SHA-256, so a truncated or edited file is refused at boot instead of scoring garbage.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ACTION_TYPE_NAMES, type ActionTypeName } from './action-type';
import type { HashingConfig } from './features';
import { STRUCTURAL_FEATURES } from './structural-features';

/** Thrown when a model file is missing, malformed or fails its integrity check. */
export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A loaded, validated model ready for inference. */
export interface RiskModel {
  /** Recorded with every score, e.g. `lr-hash-v1`. */
  modelVersion: string;
  hashing: HashingConfig;
  bias: number;
  /** Per action type offset; types the model was not trained on fall back to `message`. */
  actionTypeBias: Partial<Record<ActionTypeName, number>>;
  /** Weights of the structural features, in `STRUCTURAL_FEATURES` order. */
  structural: Float64Array;
  /** Hashed feature weights, length `2 ** hashing.hashBits`. */
  hashed: Float32Array;
  /** Free-form training summary (hyper-parameters, split, held-out metrics): numbers and ids only. */
  training?: Record<string, unknown>;
}

const finite = z.number().refine(Number.isFinite, 'must be finite');

const structuralShape = Object.fromEntries(
  STRUCTURAL_FEATURES.map((name) => [name, finite]),
) as Record<(typeof STRUCTURAL_FEATURES)[number], typeof finite>;

/** The on-disk format (version 1). */
export const ModelFileSchema = z.strictObject({
  format: z.literal('nethical-ml-logreg'),
  formatVersion: z.literal(1),
  modelVersion: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - only (≤ 64)'),
  createdAt: z.string().min(1),
  hashing: z.strictObject({
    hashBits: z.number().int().min(4).max(24),
    charNgramMin: z.number().int().min(1).max(8),
    charNgramMax: z.number().int().min(1).max(8),
  }),
  bias: finite,
  actionTypeBias: z.partialRecord(
    z.enum(ACTION_TYPE_NAMES),
    finite,
  ),
  structural: z.strictObject(structuralShape),
  hashedWeights: z.strictObject({
    encoding: z.literal('f32le-base64'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    data: z.string(),
  }),
  training: z.record(z.string(), z.unknown()).optional(),
});

/** The JSON shape of a model file. */
export type ModelFile = z.infer<typeof ModelFileSchema>;

/** Validates a parsed model file and decodes its weights. */
export function parseModel(json: unknown): RiskModel {
  const parsed = ModelFileSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new ModelFileError(`invalid model file: ${where}`, { cause: parsed.error });
  }
  const file = parsed.data;
  if (file.hashing.charNgramMax < file.hashing.charNgramMin) {
    throw new ModelFileError('invalid model file: hashing.charNgramMax < hashing.charNgramMin');
  }
  const bytes = Buffer.from(file.hashedWeights.data, 'base64');
  const expected = 4 * 2 ** file.hashing.hashBits;
  if (bytes.length !== expected) {
    throw new ModelFileError(
      `invalid model file: hashedWeights holds ${bytes.length} bytes, expected ${expected}`,
    );
  }
  if (createHash('sha256').update(bytes).digest('hex') !== file.hashedWeights.sha256) {
    throw new ModelFileError('invalid model file: hashedWeights sha256 mismatch');
  }
  const hashed = new Float32Array(expected / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < hashed.length; i++) {
    const w = view.getFloat32(i * 4, true);
    if (!Number.isFinite(w))
      throw new ModelFileError(`invalid model file: hashed weight ${i} is not finite`);
    hashed[i] = w;
  }
  return {
    modelVersion: file.modelVersion,
    hashing: { ...file.hashing },
    bias: file.bias,
    actionTypeBias: { ...file.actionTypeBias },
    structural: Float64Array.from(STRUCTURAL_FEATURES, (name) => file.structural[name]),
    hashed,
    ...(file.training === undefined ? {} : { training: file.training }),
  };
}

/** Reads and validates a model file (JSON). */
export async function loadModel(file: string): Promise<RiskModel> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ModelFileError(`cannot read model file ${file}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ModelFileError(`model file ${file} is not JSON`, { cause });
  }
  return parseModel(json);
}

/** Encodes a model as its JSON file shape (weights as float32, so a round trip rounds to float32). */
export function serializeModel(model: RiskModel, createdAt: string): ModelFile {
  const bytes = Buffer.alloc(model.hashed.length * 4);
  for (let i = 0; i < model.hashed.length; i++) bytes.writeFloatLE(model.hashed[i]!, i * 4);
  return {
    format: 'nethical-ml-logreg',
    formatVersion: 1,
    modelVersion: model.modelVersion,
    createdAt,
    hashing: { ...model.hashing },
    bias: model.bias,
    actionTypeBias: { ...model.actionTypeBias },
    structural: Object.fromEntries(
      STRUCTURAL_FEATURES.map((name, i) => [name, model.structural[i]!]),
    ) as ModelFile['structural'],
    hashedWeights: {
      encoding: 'f32le-base64',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      data: bytes.toString('base64'),
    },
    ...(model.training === undefined ? {} : { training: model.training }),
  };
}
