/**
 * The proofs merkle-anchor serves (Merkle log over tiles) match the transparency-dev/merkle
 * RFC 6962 vectors byte for byte. Vectors are read in place from
 * `$NETHICAL_DATASETS/merkle/vectors.json` (default ../shared/datasets from the repo root).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex, toHex } from '@nethical/merkle';
import { describe, expect, it } from 'vitest';
import { createMemoryTreeStore } from '../src/domain/memory-tree-store';
import { openMerkleLog } from '../src/domain/merkle-log';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const file = resolve(
  repoRoot,
  process.env.NETHICAL_DATASETS ?? '../shared/datasets',
  'merkle/vectors.json',
);
const present = existsSync(file);
if (!present)
  console.warn(`served-proof conformance skipped: ${file} not found (set NETHICAL_DATASETS)`);

interface Vectors {
  leaves: Array<{ input_hex: string }>;
  roots: Array<{ size: number; root: string }>;
  inclusion_proofs: Array<{
    index: number;
    size: number;
    leaf_hash: string;
    root: string;
    path: string[];
  }>;
  consistency_proofs: Array<{ size1: number; size2: number; path: string[] }>;
}

describe.skipIf(!present)('merkle-anchor proofs vs RFC 6962 vectors', () => {
  it('serves the vector roots, inclusion and consistency proofs', async () => {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Vectors;
    const log = await openMerkleLog(createMemoryTreeStore());
    // Leaves one by one: every size of the vectors is a committed state of the log.
    for (const [i, l] of v.leaves.entries()) await log.append(i, [fromHex(l.input_hex)!]);
    for (const r of v.roots.filter((r) => r.size > 0)) {
      expect(toHex(await log.rootAt(r.size)), `root ${r.size}`).toBe(r.root);
    }
    for (const p of v.inclusion_proofs) {
      const got = await log.inclusionProof(p.index, p.size);
      expect(
        { leaf: toHex(got.leafHash), root: toHex(got.rootHash), path: got.hashes.map(toHex) },
        `${p.index}@${p.size}`,
      ).toEqual({ leaf: p.leaf_hash, root: p.root, path: p.path });
    }
    for (const p of v.consistency_proofs) {
      const got = await log.consistencyProof(p.size1, p.size2);
      expect(got.hashes.map(toHex), `${p.size1}->${p.size2}`).toEqual(p.path);
    }
  });
});
