/**
 * L2-regularised logistic regression fitted with L-BFGS on the full batch. Deterministic (no
 * sampling), exact objective, and quick at this size (a few thousand sparse examples). Hand-written
 * because the JS regression libraries we found take dense matrices, which at 2^18 hashed features
 * do not fit; the math is the standard two-loop recursion with an Armijo backtracking line search.
 */
import { ACTION_TYPE_NAMES, type ActionTypeName } from '../domain/action-type';
import type { HashingConfig } from '../domain/features';
import type { RiskModel } from '../domain/model';

/** A training example after feature extraction (compact: only what the loss needs). */
export interface TrainingRow {
  index: Int32Array;
  value: Float32Array;
  structural: Float64Array;
  actionType: ActionTypeName;
  label: 0 | 1;
}

/** Optimiser settings. */
export interface TrainOptions {
  /** L2 strength on every weight except the global bias (objective: mean log-loss + λ/2‖w‖²). */
  l2: number;
  maxIterations?: number;
  /** Stop when the gradient norm falls below this. */
  tolerance?: number;
  /** L-BFGS history length. */
  memory?: number;
}

/** The fitted model plus convergence facts for the training report. */
export interface TrainResult {
  model: RiskModel;
  iterations: number;
  finalLoss: number;
}

/** Fits a model. Parameter layout: [bias, actionBias × types, structural × S, hashed × 2^bits]. */
export function trainLogistic(
  rows: readonly TrainingRow[],
  hashing: HashingConfig,
  structuralCount: number,
  modelVersion: string,
  options: TrainOptions,
): TrainResult {
  const types = ACTION_TYPE_NAMES;
  const offType = 1;
  const offStruct = offType + types.length;
  const offHash = offStruct + structuralCount;
  const dim = offHash + 2 ** hashing.hashBits;
  const typeIndex = new Map(types.map((t, i) => [t, i] as const));
  const n = rows.length;
  if (n === 0) throw new Error('no training rows');

  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (const r of rows) {
      const t = offType + typeIndex.get(r.actionType)!;
      let z = theta[0]! + theta[t]!;
      for (let j = 0; j < structuralCount; j++) z += theta[offStruct + j]! * r.structural[j]!;
      for (let i = 0; i < r.index.length; i++) z += theta[offHash + r.index[i]!]! * r.value[i]!;
      // log(1 + e^-yz) computed stably for y in {-1, +1}.
      const yz = r.label === 1 ? z : -z;
      loss += yz > 0 ? Math.log1p(Math.exp(-yz)) : -yz + Math.log1p(Math.exp(yz));
      const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      const g = (p - r.label) / n;
      grad[0] = grad[0]! + g;
      grad[t] = grad[t]! + g;
      for (let j = 0; j < structuralCount; j++)
        grad[offStruct + j] = grad[offStruct + j]! + g * r.structural[j]!;
      for (let i = 0; i < r.index.length; i++) {
        const k = offHash + r.index[i]!;
        grad[k] = grad[k]! + g * r.value[i]!;
      }
    }
    loss /= n;
    let reg = 0;
    for (let k = 1; k < dim; k++) {
      reg += theta[k]! * theta[k]!;
      grad[k] = grad[k]! + options.l2 * theta[k]!;
    }
    return loss + (options.l2 / 2) * reg;
  };

  const { theta, iterations, value } = lbfgs(objective, dim, options);
  const actionTypeBias: Partial<Record<ActionTypeName, number>> = {};
  const trained = new Set(rows.map((r) => r.actionType));
  types.forEach((t, i) => {
    if (trained.has(t)) actionTypeBias[t] = theta[offType + i]!;
  });
  const model: RiskModel = {
    modelVersion,
    hashing: { ...hashing },
    bias: theta[0]!,
    actionTypeBias,
    structural: theta.slice(offStruct, offHash),
    hashed: Float32Array.from(theta.subarray(offHash)),
  };
  return { model, iterations, finalLoss: value };
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** Minimises a smooth convex function from θ = 0. */
function lbfgs(
  f: (theta: Float64Array, grad: Float64Array) => number,
  dim: number,
  options: TrainOptions,
): { theta: Float64Array; iterations: number; value: number } {
  const maxIter = options.maxIterations ?? 300;
  const tol = options.tolerance ?? 1e-6;
  const m = options.memory ?? 10;
  let theta = new Float64Array(dim);
  let grad = new Float64Array(dim);
  let value = f(theta, grad);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(dim);
  const next = new Float64Array(dim);
  const nextGrad = new Float64Array(dim);
  let iter = 0;
  for (; iter < maxIter; iter++) {
    if (Math.sqrt(dot(grad, grad)) < tol) break;
    // Two-loop recursion: dir = -H·grad.
    for (let i = 0; i < dim; i++) dir[i] = -grad[i]!;
    const alpha: number[] = [];
    for (let k = s.length - 1; k >= 0; k--) {
      const a = rho[k]! * dot(s[k]!, dir);
      alpha[k] = a;
      const yk = y[k]!;
      for (let i = 0; i < dim; i++) dir[i] = dir[i]! - a * yk[i]!;
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const gamma = dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!);
      for (let i = 0; i < dim; i++) dir[i] = dir[i]! * gamma;
    }
    for (let k = 0; k < s.length; k++) {
      const b = rho[k]! * dot(y[k]!, dir);
      const sk = s[k]!;
      for (let i = 0; i < dim; i++) dir[i] = dir[i]! + (alpha[k]! - b) * sk[i]!;
    }
    let slope = dot(grad, dir);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      s.length = y.length = rho.length = 0;
      for (let i = 0; i < dim; i++) dir[i] = -grad[i]!;
      slope = dot(grad, dir);
    }
    let step = s.length === 0 ? 1 / Math.max(1, Math.sqrt(-slope)) : 1;
    let nextValue = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < dim; i++) next[i] = theta[i]! + step * dir[i]!;
      nextValue = f(next, nextGrad);
      if (nextValue <= value + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(nextValue < value)) break; // line search failed: we are at the optimum to precision
    const sk = new Float64Array(dim);
    const yk = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      sk[i] = next[i]! - theta[i]!;
      yk[i] = nextGrad[i]! - grad[i]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12) {
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
      if (s.length > m) {
        s.shift();
        y.shift();
        rho.shift();
      }
    }
    const improvement = value - nextValue;
    [theta, grad] = [Float64Array.from(next), Float64Array.from(nextGrad)];
    value = nextValue;
    if (improvement < 1e-10 * Math.max(1, Math.abs(value))) {
      iter++;
      break;
    }
  }
  return { theta, iterations: iter, value };
}
