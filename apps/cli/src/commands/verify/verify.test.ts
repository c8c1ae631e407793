import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  consistencyProof,
  createMemoryNodeReader,
  generateNoteKeys,
  hashLeaf,
  inclusionProof,
  parseSignerKey,
  rootAtSize,
  signCheckpoint,
  toBase64,
} from '@nethical/merkle';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyConsistencyOffline, verifyInclusionOffline } from './offline-verify';
import { registerVerifyCommands } from './verify-commands';

const ORIGIN = 'nethical.test/audit';
const keys = generateNoteKeys(ORIGIN, () => new Uint8Array(32).fill(9));
const otherKeys = generateNoteKeys(ORIGIN, () => new Uint8Array(32).fill(8));
const signer = parseSignerKey(keys.signerKey);
const leaves = Array.from({ length: 40 }, (_, i) => new TextEncoder().encode(`record ${i}`));
const reader = createMemoryNodeReader(leaves.map(hashLeaf));
const note = async (size: number) =>
  signCheckpoint({ origin: ORIGIN, size, rootHash: await rootAtSize(reader, size) }, [signer]);

const cp25 = await note(25);
const cp40 = await note(40);
const inclusionJson = async (index: number, size: number) =>
  JSON.stringify({
    index,
    tree_size: String(size), // uint64 as proto JSON writes it
    leaf_hash: toBase64(hashLeaf(leaves[index]!)),
    hashes: (await inclusionProof(reader, index, size)).map(toBase64),
  });
const consistencyJson = async (first: number, second: number, tamper = false) =>
  JSON.stringify({
    first,
    second,
    hashes: (await consistencyProof(reader, first, second)).map((h) =>
      toBase64(tamper ? h.map((b) => b ^ 4) : h),
    ),
  });

describe('offline verification functions', () => {
  it('accept a genuine inclusion proof given the leaf or its hash', async () => {
    const base = {
      checkpointNote: cp25,
      verifierKey: keys.verifierKey,
      proofJson: await inclusionJson(7, 25),
    };
    const byHash = verifyInclusionOffline({ ...base, leafHash: toBase64(hashLeaf(leaves[7]!)) });
    expect(byHash).toMatchObject({
      ok: true,
      summary: `leaf 7 is included in ${ORIGIN} at size 25`,
    });
    expect(
      verifyInclusionOffline({ ...base, leaf: toBase64(leaves[7]!), index: '7', treeSize: 25 }).ok,
    ).toBe(true);
  });

  it('reject a wrong leaf, key, size or a tampered proof with a reason', async () => {
    const proofJson = await inclusionJson(7, 25);
    const base = { checkpointNote: cp25, verifierKey: keys.verifierKey, proofJson };
    const leafHash = toBase64(hashLeaf(leaves[7]!));
    const reason = (r: ReturnType<typeof verifyInclusionOffline>) => (r.ok ? 'ok' : r.reason);
    expect(reason(verifyInclusionOffline({ ...base, leaf: toBase64(leaves[8]!) }))).toMatch(
      /different leaf/,
    );
    expect(
      reason(verifyInclusionOffline({ ...base, leafHash, verifierKey: otherKeys.verifierKey })),
    ).toMatch(/no signature by a known key/);
    expect(reason(verifyInclusionOffline({ ...base, leafHash, checkpointNote: cp40 }))).toMatch(
      /checkpoint is 40/,
    );
    expect(reason(verifyInclusionOffline({ ...base, leafHash, index: 8 }))).toMatch(/not 8/);
    expect(
      reason(
        verifyInclusionOffline({ ...base, leafHash, checkpointNote: cp25.replace('25', '26') }),
      ),
    ).toMatch(/does not verify/);
    const tampered = JSON.parse(proofJson) as { hashes: string[]; leaf_hash?: string };
    tampered.hashes[1] = toBase64(new Uint8Array(32));
    delete tampered.leaf_hash;
    expect(
      reason(verifyInclusionOffline({ ...base, leafHash, proofJson: JSON.stringify(tampered) })),
    ).toMatch(/root-mismatch/);
    expect(reason(verifyInclusionOffline({ ...base, leafHash, proofJson: '[1]' }))).toMatch(
      /JSON object/,
    );
    expect(reason(verifyInclusionOffline({ ...base }))).toMatch(/--leaf/);
  });

  it('check consistency between two signed checkpoints', async () => {
    const base = { oldNote: cp25, newNote: cp40, verifierKey: keys.verifierKey };
    expect(
      verifyConsistencyOffline({ ...base, proofJson: await consistencyJson(25, 40) }),
    ).toMatchObject({ ok: true });
    const bad = verifyConsistencyOffline({
      ...base,
      proofJson: await consistencyJson(25, 40, true),
    });
    expect(bad).toMatchObject({ ok: false });
    const sizes = verifyConsistencyOffline({ ...base, proofJson: await consistencyJson(24, 40) });
    expect(sizes).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/checkpoints are 25 -> 40/),
    });
  });
});

describe('verify commands', () => {
  const dirPromise = mkdtemp(join(tmpdir(), 'verify-cli-'));
  afterAll(async () => rm(await dirPromise, { recursive: true, force: true }));

  async function run(args: string[]): Promise<{ lines: string[]; exitCode: number }> {
    const lines: string[] = [];
    const program = new Command().exitOverride();
    registerVerifyCommands(program, (l) => lines.push(l));
    const before = process.exitCode;
    process.exitCode = 0;
    try {
      await program.parseAsync(['node', 'nethical', ...args]);
      return { lines, exitCode: Number(process.exitCode ?? 0) };
    } finally {
      process.exitCode = before;
    }
  }

  it('verify inclusion and consistency from files; exit code 1 on failure', async () => {
    const dir = await dirPromise;
    const f = (name: string) => join(dir, name);
    await writeFile(f('cp25'), cp25);
    await writeFile(f('cp40'), cp40);
    await writeFile(f('key'), `${keys.verifierKey}\n`);
    await writeFile(f('inc.json'), await inclusionJson(3, 40));
    await writeFile(f('con.json'), await consistencyJson(25, 40));
    await writeFile(f('bad.json'), await consistencyJson(25, 40, true));
    const leafHash = toBase64(hashLeaf(leaves[3]!));
    const inc = [
      'verify',
      'inclusion',
      '--leaf-hash',
      leafHash,
      '--index',
      '3',
      '--tree-size',
      '40',
    ];
    expect(
      await run([...inc, '--proof', f('inc.json'), '--checkpoint', f('cp40'), '--key', f('key')]),
    ).toEqual({
      lines: [`OK leaf 3 is included in ${ORIGIN} at size 40`],
      exitCode: 0,
    });
    const con = [
      'verify',
      'consistency',
      '--old',
      f('cp25'),
      '--new',
      f('cp40'),
      '--key',
      keys.verifierKey,
    ];
    expect((await run([...con, '--proof', f('con.json')])).exitCode).toBe(0);
    const failed = await run([...con, '--proof', f('bad.json')]);
    expect(failed.exitCode).toBe(1);
    expect(failed.lines[0]).toMatch(/^FAILED root-mismatch/);
  });
});
