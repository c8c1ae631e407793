/**
 * Conformance against the transparency-dev/merkle RFC 6962 vectors in the shared datasets
 * (`<datasets>/merkle/vectors.json`, read in place, never copied). The folder comes from
 * NETHICAL_DATASETS, default `../shared/datasets` relative to the repository root.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './encoding';
import { EMPTY_ROOT, hashChildren, hashLeaf } from './hasher';
import { createMemoryNodeReader } from './node-reader';
import { consistencyProof, inclusionProof, rootAtSize } from './proof-generation';
import { verifyConsistency, verifyInclusion } from './proof-verification';
import { rootFromLeafHashes, rootFromPeaks } from './compact-range';
import { rangeNodes } from './tree-math';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const datasets = resolve(repoRoot, process.env.NETHICAL_DATASETS ?? '../shared/datasets');
const file = resolve(datasets, 'merkle/vectors.json');
const present = existsSync(file);
if (!present) console.warn(`merkle conformance skipped: ${file} not found (set NETHICAL_DATASETS)`);

interface Vectors {
  hasher_vectors: Array<{
    kind: string;
    expected: string;
    input_hex?: string;
    left_hex?: string;
    right_hex?: string;
  }>;
  leaves: Array<{ index: number; input_hex: string; leaf_hash: string }>;
  roots: Array<{ size: number; root: string }>;
  inclusion_proofs: Array<{
    index: number;
    size: number;
    leaf_hash: string;
    root: string;
    path: string[];
  }>;
  consistency_proofs: Array<{
    size1: number;
    size2: number;
    root1: string;
    root2: string;
    path: string[];
  }>;
  inclusion_probes: {
    items: Array<{
      file: string;
      desc: string;
      leafIdx: number;
      treeSize: number;
      root: string;
      leafHash: string;
      path: string[];
      wantErr: boolean;
    }>;
  };
  rolling_hash_vectors: { subtree_hash_digest: string };
  consistency_probes: {
    items: Array<{
      file: string;
      desc: string;
      size1: number;
      size2: number;
      root1: string;
      root2: string;
      path: string[];
      wantErr: boolean;
    }>;
  };
}

const v: Vectors = present ? JSON.parse(readFileSync(file, 'utf8')) : ({} as Vectors);
const hex = (s: string) => {
  const b = fromHex(s);
  if (!b) throw new Error(`bad hex in vectors: ${s}`);
  return b;
};

describe.skipIf(!present)('RFC 6962 conformance (transparency-dev/merkle vectors)', () => {
  it('hashes like the hasher vectors', () => {
    expect(v.hasher_vectors.length).toBeGreaterThan(0);
    for (const h of v.hasher_vectors) {
      const got =
        h.kind === 'empty_root'
          ? EMPTY_ROOT
          : h.kind === 'leaf'
            ? hashLeaf(hex(h.input_hex!))
            : hashChildren(hex(h.left_hex!), hex(h.right_hex!));
      expect(toHex(got), h.kind).toBe(h.expected);
    }
  });

  const leafHashes = () => v.leaves.map((l) => hashLeaf(hex(l.input_hex)));

  it('computes leaf hashes and the roots of sizes 0..8', async () => {
    v.leaves.forEach((l, i) => expect(toHex(leafHashes()[i]!)).toBe(l.leaf_hash));
    expect(v.roots.map((r) => r.size)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const reader = createMemoryNodeReader(leafHashes());
    for (const r of v.roots) {
      expect(toHex(rootFromLeafHashes(leafHashes().slice(0, r.size))), `size ${r.size}`).toBe(
        r.root,
      );
      expect(toHex(await rootAtSize(reader, r.size)), `size ${r.size}`).toBe(r.root);
    }
  });

  it('generates and verifies every inclusion proof vector', async () => {
    const reader = createMemoryNodeReader(leafHashes());
    for (const p of v.inclusion_proofs) {
      const label = `index ${p.index} size ${p.size}`;
      const proof = await inclusionProof(reader, p.index, p.size);
      expect(proof.map(toHex), label).toEqual(p.path);
      expect(
        verifyInclusion(p.index, p.size, hex(p.leaf_hash), p.path.map(hex), hex(p.root)),
        label,
      ).toEqual({ ok: true });
    }
  });

  it('generates and verifies every consistency proof vector', async () => {
    const reader = createMemoryNodeReader(leafHashes());
    for (const p of v.consistency_proofs) {
      const label = `${p.size1} -> ${p.size2}`;
      expect((await consistencyProof(reader, p.size1, p.size2)).map(toHex), label).toEqual(p.path);
      const got = verifyConsistency(p.size1, p.size2, p.path.map(hex), hex(p.root1), hex(p.root2));
      expect(got, label).toEqual({ ok: true });
    }
  });

  it('accepts every valid inclusion probe and rejects every mutated one', () => {
    const items = v.inclusion_probes.items;
    expect(items).toHaveLength(98);
    for (const p of items) {
      const got = verifyInclusion(
        p.leafIdx,
        p.treeSize,
        hex(p.leafHash),
        p.path.map(hex),
        hex(p.root),
      );
      expect(got.ok, `${p.file} (${p.desc})`).toBe(!p.wantErr);
    }
  });

  it('accepts every valid consistency probe and rejects every mutated one', () => {
    const items = v.consistency_probes.items;
    expect(items).toHaveLength(98);
    for (const p of items) {
      const got = verifyConsistency(p.size1, p.size2, p.path.map(hex), hex(p.root1), hex(p.root2));
      expect(got.ok, `${p.file} (${p.desc})`).toBe(!p.wantErr);
    }
  });

  it('reproduces the rolling subtree-hash digest over 130 leaves (covers every root 0..130)', async () => {
    // Valid ranges per transparency-dev testonly.isSubtreeValid: start = 0, empty, or start a
    // multiple of the smallest power of two ≥ end - start.
    const max = 130;
    const reader = createMemoryNodeReader(
      Array.from({ length: max }, (_, i) => hashLeaf(Uint8Array.of(i))),
    );
    const rolling = createHash('sha256');
    for (let end = 0; end <= max; end++) {
      for (let start = 0; start <= end; start++) {
        const len = end - start;
        let ceil = 1;
        while (ceil < len) ceil *= 2;
        if (start !== 0 && len !== 0 && start % ceil !== 0) continue;
        const hash =
          len === 0 ? EMPTY_ROOT : rootFromPeaks(await reader.readNodes(rangeNodes(start, end)));
        rolling.update(`[${start}, ${end}) ${toHex(hash)}\n`);
      }
    }
    expect(rolling.digest('hex')).toBe(v.rolling_hash_vectors.subtree_hash_digest);
  });
});
