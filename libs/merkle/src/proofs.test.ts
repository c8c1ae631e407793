import { describe, expect, it } from 'vitest';
import { createCompactRange, rootFromLeafHashes } from './compact-range';
import { MissingNodeError, TreeRangeError } from './errors';
import { EMPTY_ROOT, hashChildren, hashLeaf } from './hasher';
import { createMemoryNodeReader } from './node-reader';
import { consistencyProof, inclusionProof, rootAtSize } from './proof-generation';
import { verifyConsistency, verifyInclusion } from './proof-verification';
import { splitPoint } from './tree-math';
import { toHex } from './encoding';

const MAX = 70;
const leaves = Array.from({ length: MAX }, (_, i) =>
  hashLeaf(new TextEncoder().encode(`leaf ${i}`)),
);
const reader = createMemoryNodeReader(leaves);

/** RFC 6962 MTH written as the spec's recursion: an independent oracle for the roots. */
function referenceRoot(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT;
  if (hashes.length === 1) return hashes[0]!;
  const k = splitPoint(hashes.length);
  return hashChildren(referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)));
}

const roots = Array.from({ length: MAX + 1 }, (_, n) => referenceRoot(leaves.slice(0, n)));

function flip(h: Uint8Array): Uint8Array {
  const c = h.slice();
  c[7]! ^= 0x10;
  return c;
}

describe('roots', () => {
  it('agree with the RFC recursion for sizes 0..70 (list, compact range, reader)', async () => {
    const range = createCompactRange();
    for (let n = 0; n <= MAX; n++) {
      const want = toHex(roots[n]!);
      expect(toHex(rootFromLeafHashes(leaves.slice(0, n)))).toBe(want);
      expect(toHex(range.root())).toBe(want);
      expect(toHex(await rootAtSize(reader, n))).toBe(want);
      if (n < MAX) range.append(leaves[n]!);
    }
  });
});

describe('inclusion proofs', () => {
  it('verify for every index of every size 1..70 and fail when mutated', async () => {
    // Failures are collected and asserted once: thousands of expect() calls dominate the time.
    const failures: string[] = [];
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      for (let i = 0; i < n; i++) {
        const proof = await inclusionProof(reader, i, n);
        const root = roots[n]!;
        if (!verifyInclusion(i, n, leaves[i]!, proof, root).ok) failures.push(`valid ${i}@${n}`);
        if (verifyInclusion(i, n, flip(leaves[i]!), proof, root).ok)
          failures.push(`leaf ${i}@${n}`);
        if (n > 1 && verifyInclusion((i + 1) % n, n, leaves[i]!, proof, root).ok) {
          failures.push(`index ${i}@${n}`);
        }
        // One mutated element per proof, rotating, so every position is hit across the pairs.
        if (proof.length > 0) {
          const j = (i + n) % proof.length;
          const bad = proof.slice();
          bad[j] = flip(bad[j]!);
          const got = verifyInclusion(i, n, leaves[i]!, bad, root);
          if (got.ok || got.code !== 'root-mismatch') failures.push(`element ${j} ${i}@${n}`);
        }
        checked++;
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe((MAX * (MAX + 1)) / 2);
  });

  it('reports why a proof is malformed', async () => {
    const proof = await inclusionProof(reader, 3, 10);
    const leaf = leaves[3]!;
    expect(verifyInclusion(3, 10, leaf, proof.slice(1), roots[10]!)).toMatchObject({
      code: 'wrong-proof-length',
    });
    expect(verifyInclusion(3, 10, leaf, [...proof, leaf], roots[10]!)).toMatchObject({
      code: 'wrong-proof-length',
    });
    expect(verifyInclusion(10, 10, leaf, proof, roots[10]!)).toMatchObject({
      code: 'invalid-range',
    });
    expect(verifyInclusion(-1, 10, leaf, proof, roots[10]!)).toMatchObject({
      code: 'invalid-range',
    });
    expect(verifyInclusion(3, 10, leaf.subarray(1), proof, roots[10]!)).toMatchObject({
      code: 'malformed-hash',
    });
    expect(verifyInclusion(3, 10, leaf, proof, roots[10]!.subarray(1))).toMatchObject({
      code: 'malformed-hash',
    });
    expect(
      verifyInclusion(3, 10, leaf, [proof[0]!.subarray(2), ...proof.slice(1)], roots[10]!),
    ).toMatchObject({
      code: 'malformed-hash',
    });
  });

  it('refuses impossible requests and surfaces missing nodes', async () => {
    await expect(inclusionProof(reader, 5, 5)).rejects.toBeInstanceOf(TreeRangeError);
    await expect(inclusionProof(reader, 0, MAX + 1)).rejects.toBeInstanceOf(MissingNodeError);
  });
});

describe('consistency proofs', () => {
  it('verify for every pair 1 ≤ m ≤ n ≤ 70 and fail when mutated', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = await consistencyProof(reader, m, n);
        const [r1, r2] = [roots[m]!, roots[n]!];
        if (!verifyConsistency(m, n, proof, r1, r2).ok) failures.push(`valid ${m}->${n}`);
        if (verifyConsistency(m, n, proof, flip(r1), r2).ok) failures.push(`root1 ${m}->${n}`);
        if (verifyConsistency(m, n, proof, r1, flip(r2)).ok) failures.push(`root2 ${m}->${n}`);
        if (proof.length > 0) {
          const j = (m + n) % proof.length;
          const bad = proof.slice();
          bad[j] = flip(bad[j]!);
          if (verifyConsistency(m, n, bad, r1, r2).ok) failures.push(`element ${j} ${m}->${n}`);
        }
        checked++;
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe((MAX * (MAX + 1)) / 2);
  });

  it('rejects the empty tree, reversed sizes and wrong lengths', async () => {
    const proof = await consistencyProof(reader, 3, 7);
    expect(verifyConsistency(0, 7, proof, EMPTY_ROOT, roots[7]!)).toMatchObject({
      code: 'invalid-range',
    });
    expect(verifyConsistency(7, 3, proof, roots[7]!, roots[3]!)).toMatchObject({
      code: 'invalid-range',
    });
    expect(verifyConsistency(3, 7, [], roots[3]!, roots[7]!)).toMatchObject({
      code: 'wrong-proof-length',
    });
    expect(verifyConsistency(3, 7, [...proof, proof[0]!], roots[3]!, roots[7]!)).toMatchObject({
      code: 'wrong-proof-length',
    });
    expect(verifyConsistency(5, 5, [roots[5]!], roots[5]!, roots[5]!)).toMatchObject({
      code: 'wrong-proof-length',
    });
    await expect(consistencyProof(reader, 0, 3)).rejects.toBeInstanceOf(TreeRangeError);
    await expect(consistencyProof(reader, 4, 3)).rejects.toBeInstanceOf(TreeRangeError);
    expect(await consistencyProof(reader, 4, 4)).toEqual([]);
  });
});

describe('compact range', () => {
  it('reports exactly the complete subtrees each append finishes, and restores from peaks', async () => {
    const range = createCompactRange();
    const seen: string[] = [];
    for (let i = 0; i < MAX; i++) {
      for (const node of range.append(leaves[i]!)) {
        const [stored] = await reader.readNodes([node]);
        expect(toHex(node.hash)).toBe(toHex(stored!));
        seen.push(`${node.level}/${node.index}`);
      }
      const restored = createCompactRange(range.size, range.peaks);
      expect(toHex(restored.root())).toBe(toHex(range.root()));
    }
    // A tree of n leaves has floor(n / 2^level) complete subtrees at each level.
    let expected = 0;
    for (let level = 0; 2 ** level <= MAX; level++) expected += Math.floor(MAX / 2 ** level);
    expect(new Set(seen).size).toBe(expected);
    expect(seen).toHaveLength(expected);
  });

  it('rejects a wrong number of peaks or bad hash sizes', () => {
    expect(() => createCompactRange(3, [leaves[0]!])).toThrow(RangeError);
    expect(() => createCompactRange().append(new Uint8Array(31))).toThrow(RangeError);
  });
});
