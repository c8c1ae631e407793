/**
 * Pure-tree costs, no storage: `npx vitest bench --run libs/merkle/src/merkle.bench.ts`.
 * Figures are noisy on a shared machine; compare runs on the same host only.
 */
import { bench, describe } from 'vitest';
import { createCompactRange } from './compact-range';
import { hashChildren, hashLeaf } from './hasher';
import { createMemoryNodeReader } from './node-reader';
import { consistencyProof, inclusionProof } from './proof-generation';
import { verifyConsistency, verifyInclusion } from './proof-verification';

const SIZE = 1 << 16;
const leaves = Array.from({ length: SIZE }, (_, i) =>
  hashLeaf(new TextEncoder().encode(`leaf ${i}`)),
);
const reader = createMemoryNodeReader(leaves);
const full = createCompactRange();
for (const l of leaves) full.append(l);
const root = full.root();
const old = createCompactRange();
for (const l of leaves.slice(0, 40_000)) old.append(l);
const oldRoot = old.root();
const inclusion = await inclusionProof(reader, 12_345, SIZE);
const consistency = await consistencyProof(reader, 40_000, SIZE);
let i = 0;

describe('hashing', () => {
  bench('hashLeaf (256-byte leaf)', () => {
    hashLeaf(new Uint8Array(256));
  });
  bench('hashChildren', () => {
    hashChildren(leaves[0]!, leaves[1]!);
  });
});

describe('append', () => {
  bench('compact range: append 1024 leaf hashes', () => {
    const range = createCompactRange();
    for (let k = 0; k < 1024; k++) range.append(leaves[k]!);
  });
});

describe('proofs over 65,536 leaves (memory reader)', () => {
  bench('inclusion proof generation', async () => {
    await inclusionProof(reader, (i = (i + 7919) % SIZE), SIZE);
  });
  bench('consistency proof generation', async () => {
    await consistencyProof(reader, 1 + (i = (i + 7919) % (SIZE - 1)), SIZE);
  });
  bench('inclusion proof verification', () => {
    verifyInclusion(12_345, SIZE, leaves[12_345]!, inclusion, root);
  });
  bench('consistency proof verification', () => {
    verifyConsistency(40_000, SIZE, consistency, oldRoot, root);
  });
});
