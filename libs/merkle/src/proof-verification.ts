/**
 * Verification of inclusion and consistency proofs, following RFC 9162 §2.1.3.2 and §2.1.4.2
 * step by step. Results are values, not exceptions: a verifier that is fed hostile input
 * should be able to branch on why it failed.
 */
import { HASH_SIZE, equalBytes, hashChildren } from './hasher';
import { consistencyRanges, inclusionRanges } from './proof-generation';

/** Why a proof was rejected. */
export type ProofErrorCode =
  /** Sizes or indices impossible (index ≥ size, first > second, first = 0, not an integer). */
  | 'invalid-range'
  /** A hash has the wrong length (leaf hash, root or a proof element). */
  | 'malformed-hash'
  /** The proof has more or fewer elements than the sizes require. */
  | 'wrong-proof-length'
  /** The proof is well formed but recomputes a different root. */
  | 'root-mismatch';

/** Outcome of a proof verification. */
export type VerifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: ProofErrorCode; readonly message: string };

const OK: VerifyResult = { ok: true };
const fail = (code: ProofErrorCode, message: string): VerifyResult => ({
  ok: false,
  code,
  message,
});

const isIndex = (n: number) => Number.isSafeInteger(n) && n >= 0;
const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

function isPowerOfTwo(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}

function badHash(hashes: readonly Uint8Array[]): number {
  return hashes.findIndex((h) => h.length !== HASH_SIZE);
}

/**
 * Recompute the root from an inclusion proof (RFC 9162 §2.1.3.2 steps 1-6). Returns the root or
 * the reason the proof cannot be evaluated.
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): { ok: true; root: Uint8Array } | Extract<VerifyResult, { ok: false }> {
  if (!isIndex(index) || !isIndex(size) || index >= size) {
    return { ok: false, code: 'invalid-range', message: `index ${index} not in tree of ${size}` };
  }
  if (leafHash.length !== HASH_SIZE) {
    return { ok: false, code: 'malformed-hash', message: `leaf hash is ${leafHash.length} bytes` };
  }
  const bad = badHash(proof);
  if (bad >= 0) {
    return { ok: false, code: 'malformed-hash', message: `proof element ${bad} is not 32 bytes` };
  }
  const want = inclusionRanges(index, size).length;
  if (proof.length !== want) {
    const message = `inclusion proof has ${proof.length} elements, expected ${want}`;
    return { ok: false, code: 'wrong-proof-length', message };
  }
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    // Cannot happen after the length check; kept because it is the RFC's own guard.
    if (sn === 0) return { ok: false, code: 'wrong-proof-length', message: 'proof too long' };
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return { ok: false, code: 'wrong-proof-length', message: 'proof too short' };
  return { ok: true, root: r };
}

/** Verify that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): VerifyResult {
  if (root.length !== HASH_SIZE) return fail('malformed-hash', `root is ${root.length} bytes`);
  const got = rootFromInclusionProof(index, size, leafHash, proof);
  if (!got.ok) return got;
  return equalBytes(got.root, root) ? OK : fail('root-mismatch', 'proof does not lead to root');
}

/**
 * Verify that the tree of `first` leaves with root `firstRoot` is a prefix of the tree of
 * `second` leaves with root `secondRoot` (RFC 9162 §2.1.4.2).
 *
 * Policy, as transparency-dev/merkle: `first = 0` is rejected (the RFC defines no proof from the
 * empty tree; anything is consistent with it, so such a "proof" proves nothing). With equal
 * sizes the proof must be empty and the roots byte-equal.
 */
export function verifyConsistency(
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): VerifyResult {
  if (!isIndex(first) || !isIndex(second) || first === 0 || first > second) {
    return fail('invalid-range', `no consistency proof from size ${first} to ${second}`);
  }
  if (first === second) {
    if (proof.length !== 0) return fail('wrong-proof-length', 'equal sizes need an empty proof');
    return equalBytes(firstRoot, secondRoot)
      ? OK
      : fail('root-mismatch', 'equal sizes but different roots');
  }
  if (firstRoot.length !== HASH_SIZE || secondRoot.length !== HASH_SIZE) {
    return fail('malformed-hash', 'roots must be 32 bytes');
  }
  const bad = badHash(proof);
  if (bad >= 0) return fail('malformed-hash', `proof element ${bad} is not 32 bytes`);
  const want = consistencyRanges(first, second).length;
  if (proof.length !== want) {
    return fail('wrong-proof-length', `proof has ${proof.length} elements, expected ${want}`);
  }
  // Step 2: when `first` is a power of two the old root is itself a node of the new tree.
  const steps = isPowerOfTwo(first) ? [firstRoot, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = steps[0]!;
  let sr = steps[0]!;
  for (const c of steps.slice(1)) {
    if (sn === 0) return fail('wrong-proof-length', 'proof too long');
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return fail('wrong-proof-length', 'proof too short');
  if (!equalBytes(fr, firstRoot)) return fail('root-mismatch', 'proof does not lead to first root');
  if (!equalBytes(sr, secondRoot)) {
    return fail('root-mismatch', 'proof does not lead to second root');
  }
  return OK;
}
