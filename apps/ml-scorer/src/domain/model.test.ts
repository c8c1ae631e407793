import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadModel,
  ModelFileError,
  parseModel,
  serializeModel,
  type ModelFile,
  type RiskModel,
} from './model';
import { STRUCTURAL_FEATURES } from './structural-features';

function sample(): RiskModel {
  return {
    modelVersion: 'test-model.1',
    hashing: { hashBits: 6, charNgramMin: 3, charNgramMax: 5 },
    bias: 0.125,
    actionTypeBias: { message: 0.5, response: -0.25 },
    structural: Float64Array.from(STRUCTURAL_FEATURES, (_, i) => i / 10),
    hashed: Float32Array.from({ length: 64 }, (_, i) => Math.sin(i)),
    training: { l2: 1e-4 },
  };
}

const file = (): ModelFile => serializeModel(sample(), '2026-11-27T00:00:00.000Z');
const mutate = (f: (m: Record<string, unknown>) => void): unknown => {
  const m = structuredClone(file()) as unknown as Record<string, unknown>;
  f(m);
  return m;
};

describe('model file', () => {
  it('round-trips through JSON (weights as float32)', () => {
    const back = parseModel(JSON.parse(JSON.stringify(file())));
    const orig = sample();
    expect(back.modelVersion).toBe(orig.modelVersion);
    expect(back.bias).toBe(orig.bias);
    expect(back.actionTypeBias).toEqual(orig.actionTypeBias);
    expect([...back.structural]).toEqual([...orig.structural]);
    expect([...back.hashed]).toEqual([...orig.hashed]);
    expect(back.training).toEqual({ l2: 1e-4 });
  });

  it.each([
    ['wrong format', (m: Record<string, unknown>) => (m.format = 'other')],
    ['bad version string', (m: Record<string, unknown>) => (m.modelVersion = 'has space')],
    ['unknown key', (m: Record<string, unknown>) => (m.extra = 1)],
    [
      'missing structural weight',
      (m: Record<string, unknown>) => delete (m.structural as Record<string, unknown>).char_entropy,
    ],
    ['non-finite bias', (m: Record<string, unknown>) => (m.bias = Number.NaN)],
    [
      'unknown action type',
      (m: Record<string, unknown>) => ((m.actionTypeBias as Record<string, number>).teleport = 1),
    ],
    [
      'hashBits out of range',
      (m: Record<string, unknown>) => ((m.hashing as Record<string, number>).hashBits = 30),
    ],
    [
      'n-gram range inverted',
      (m: Record<string, unknown>) => ((m.hashing as Record<string, number>).charNgramMin = 6),
    ],
    [
      'truncated weights',
      (m: Record<string, unknown>) => {
        const w = m.hashedWeights as Record<string, string>;
        w.data = w.data!.slice(0, 40);
      },
    ],
    [
      'weights edited',
      (m: Record<string, unknown>) => {
        const w = m.hashedWeights as Record<string, string>;
        const bytes = Buffer.from(w.data!, 'base64');
        bytes[3] = bytes[3]! ^ 1;
        w.data = bytes.toString('base64');
      },
    ],
  ])('rejects %s', (_, f) => {
    expect(() => parseModel(mutate(f))).toThrow(ModelFileError);
  });

  it('loadModel reads a file and reports unreadable or non-JSON files as ModelFileError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ml-model-'));
    await writeFile(join(dir, 'ok.json'), JSON.stringify(file()));
    await writeFile(join(dir, 'bad.json'), '{not json');
    expect((await loadModel(join(dir, 'ok.json'))).modelVersion).toBe('test-model.1');
    await expect(loadModel(join(dir, 'bad.json'))).rejects.toThrow(ModelFileError);
    await expect(loadModel(join(dir, 'missing.json'))).rejects.toThrow(ModelFileError);
  });
});
