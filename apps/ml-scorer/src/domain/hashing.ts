/**
 * 32-bit FNV-1a steps plus the murmur3 finaliser. FNV alone has weak low bits, and the model
 * indexes by the low `hashBits` bits, so every hash is finalised before use. Hand-written because
 * it runs once per character n-gram on the hot path; a library call per step would dominate.
 */

/** FNV-1a offset basis, perturbed per feature namespace so namespaces do not share buckets. */
export const HASH_SEEDS = {
  char: 0x811c9dc5 | 0,
  word: 0x050c5d1f | 0,
  bigram: 0x2f3a1b7d | 0,
} as const;

const FNV_PRIME = 0x01000193;

/** Folds one UTF-16 code unit into a running FNV-1a hash. */
export function fnvStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, FNV_PRIME);
}

/** murmur3 fmix32: spreads every input bit over every output bit. Returns a signed 32-bit int. */
export function finalizeHash(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
