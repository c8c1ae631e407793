import { createHash } from 'node:crypto';

/** Size in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** Root of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1). */
export const EMPTY_ROOT: Uint8Array = new Uint8Array(createHash('sha256').digest());

/** RFC 6962 leaf hash: `SHA-256(0x00 || leaf)`. The prefix separates leaves from inner nodes. */
export function hashLeaf(leaf: Uint8Array): Uint8Array {
  const h = createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
  return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
}

/** RFC 6962 inner node hash: `SHA-256(0x01 || left || right)`. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  const h = createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
}

/** Byte equality (lengths differ → false). Hashes are public, so timing does not matter here. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
