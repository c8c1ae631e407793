/**
 * A small seeded PRNG (mulberry32) with a seed mixer (splitmix32). Hand-written on purpose: the
 * load generator draws millions of numbers on its hot path, needs a stream per agent that can be
 * rebuilt from `(seed, agent)` alone, and five lines do that without adding a dependency.
 * Not for cryptography.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `n` decimal digits as a string (leading zeros allowed). */
  digits(n: number): string;
  /** `n` lowercase hex characters. */
  hex(n: number): string;
}

/** Mix two 32-bit integers into one well-spread seed (splitmix32 finaliser). */
export function mixSeed(a: number, b: number): number {
  let z = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(b, 0xc2b2ae35)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** A deterministic stream of numbers for one seed. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      const item = items[int(items.length)];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
    digits(n: number): string {
      let out = '';
      for (let i = 0; i < n; i++) out += String(int(10));
      return out;
    },
    hex(n: number): string {
      let out = '';
      for (let i = 0; i < n; i++) out += int(16).toString(16);
      return out;
    },
  };
}
