/**
 * RFC 6962 hashing and RFC 9162 §2.1.3.2 inclusion-proof verification on WebCrypto.
 *
 * Why not @nethical/merkle: its hasher is synchronous node:crypto (the tree builder's hot path
 * needs that), and WebCrypto's digest is asynchronous, so the same algorithm is written here
 * once more over `await sha256`. The tests run both on the same proofs (test/web-verify.test.ts).
 */
import { equalBytes, sha256 } from './bytes';

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

/** `SHA-256(0x00 || leaf)`. */
export const hashLeaf = (leaf: Uint8Array) => sha256(LEAF, leaf);
/** `SHA-256(0x01 || left || right)`. */
export const hashChildren = (left: Uint8Array, right: Uint8Array) => sha256(NODE, left, right);

/** Outcome of a verification: ok, or why not. */
export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * Verify that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`
 * (RFC 9162 §2.1.3.2). Sizes are bigint because the wire type is uint64.
 */
export async function verifyInclusion(
  index: bigint,
  size: bigint,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<Verdict> {
  if (index >= size) return { ok: false, reason: `index ${index} is not in a tree of ${size}` };
  if (leafHash.length !== 32 || root.length !== 32)
    return { ok: false, reason: 'hashes must be 32 bytes' };
  const bad = proof.findIndex((p) => p.length !== 32);
  if (bad >= 0) return { ok: false, reason: `proof element ${bad} is not 32 bytes` };
  let fn = index;
  let sn = size - 1n;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0n) return { ok: false, reason: 'proof is too long' };
    if (fn % 2n === 1n || fn === sn) {
      r = await hashChildren(p, r);
      while (fn % 2n === 0n && fn !== 0n) {
        fn /= 2n;
        sn /= 2n;
      }
    } else {
      r = await hashChildren(r, p);
    }
    fn /= 2n;
    sn /= 2n;
  }
  if (sn !== 0n) return { ok: false, reason: 'proof is too short' };
  return equalBytes(r, root)
    ? { ok: true }
    : { ok: false, reason: 'the proof leads to a different root' };
}
