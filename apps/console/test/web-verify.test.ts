import {
  createMemoryNodeReader,
  generateNoteKeys,
  hashLeaf as nodeHashLeaf,
  inclusionProof,
  parseSignerKey,
  rootAtSize,
  signCheckpoint,
} from '@nethical/merkle';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, toHex } from '../src/verify/bytes';
import { hashLeaf, verifyInclusion } from '../src/verify/rfc6962';
import { openCheckpoint, parseVerifierKey } from '../src/verify/signed-checkpoint';
import { verifyRecord, type ProofSource } from '../src/verify/record-proof';

const encoder = new TextEncoder();
const leaves = Array.from({ length: 37 }, (_, i) => encoder.encode(`record ${i}`));
const leafHashes = leaves.map((l) => nodeHashLeaf(l));
const reader = createMemoryNodeReader(leafHashes);
const keys = generateNoteKeys('nethical.test/audit', () => new Uint8Array(32).fill(7));
const signer = parseSignerKey(keys.signerKey);

async function signedAt(size: number): Promise<string> {
  return signCheckpoint(
    { origin: 'nethical.test/audit', size, rootHash: await rootAtSize(reader, size) },
    [signer],
  );
}

/** A gateway stand-in serving libs/merkle's proofs and notes (the server side's own code). */
function source(size: number, overrides: Partial<ProofSource> = {}): ProofSource {
  return {
    checkpoint: async () => ({ note: await signedAt(size), verifierKey: keys.verifierKey }),
    record: async (id) => {
      const i = Number(id);
      return { sequence: BigInt(i), leaf: leaves[i]! };
    },
    inclusion: async (id, treeSize) => ({
      index: BigInt(id),
      treeSize,
      leafHash: leafHashes[Number(id)]!,
      hashes: await inclusionProof(reader, Number(id), Number(treeSize)),
    }),
    ...overrides,
  };
}

describe('browser RFC 6962 verification (WebCrypto)', () => {
  it('hashes leaves as libs/merkle does', async () => {
    for (const l of leaves.slice(0, 5))
      expect(toHex(await hashLeaf(l))).toBe(toHex(nodeHashLeaf(l)));
  });

  it('accepts every libs/merkle inclusion proof for sizes 1..37 and rejects a flipped bit', async () => {
    for (let size = 1; size <= leaves.length; size++) {
      const root = await rootAtSize(reader, size);
      for (let i = 0; i < size; i++) {
        const proof = await inclusionProof(reader, i, size);
        expect(await verifyInclusion(BigInt(i), BigInt(size), leafHashes[i]!, proof, root)).toEqual(
          { ok: true },
        );
        if (proof.length > 0) {
          const bad = proof.map((p) => p.slice());
          bad[bad.length - 1]![31]! ^= 0x80;
          expect(
            (await verifyInclusion(BigInt(i), BigInt(size), leafHashes[i]!, bad, root)).ok,
          ).toBe(false);
          expect(
            (await verifyInclusion(BigInt(i), BigInt(size), leafHashes[i]!, proof.slice(1), root))
              .ok,
          ).toBe(false);
        }
      }
    }
  });

  it('rejects impossible positions and malformed hashes', async () => {
    const root = await rootAtSize(reader, 4);
    expect((await verifyInclusion(4n, 4n, leafHashes[0]!, [], root)).ok).toBe(false);
    expect((await verifyInclusion(0n, 4n, leafHashes[0]!, [new Uint8Array(31)], root)).ok).toBe(
      false,
    );
  });
});

describe('browser signed checkpoints (Ed25519 via @noble/curves)', () => {
  it('opens a note signed by libs/merkle and reads size and root', async () => {
    const cp = openCheckpoint(await signedAt(9), await parseVerifierKey(keys.verifierKey));
    expect(cp.size).toBe(9n);
    expect(toHex(cp.rootHash)).toBe(toHex(await rootAtSize(reader, 9)));
  });

  it("reads a verifier key whose base64 holds '+' (cut at the first two '+' only)", async () => {
    let plus: ReturnType<typeof generateNoteKeys> | undefined;
    for (let seed = 0; seed < 256 && !plus; seed++) {
      const k = generateNoteKeys('nethical.test/audit', () => new Uint8Array(32).fill(seed));
      if (k.verifierKey.split('+').length > 3) plus = k;
    }
    const note = signCheckpoint({ origin: 'o', size: 1, rootHash: leafHashes[0]! }, [
      parseSignerKey(plus!.signerKey),
    ]);
    expect(openCheckpoint(note, await parseVerifierKey(plus!.verifierKey)).size).toBe(1n);
  });

  it('rejects an altered body, an altered signature, another key and a key with a wrong id', async () => {
    const key = await parseVerifierKey(keys.verifierKey);
    const note = await signedAt(9);
    expect(() => openCheckpoint(note.replace('\n9\n', '\n8\n'), key)).toThrow(/does not verify/);
    const sig = note.split('\n').at(-2)!.split(' ').at(-1)!;
    const blob = fromBase64(sig)!;
    blob[10]! ^= 1;
    expect(() => openCheckpoint(note.replace(sig, toBase64(blob)), key)).toThrow(/does not verify/);
    const other = await parseVerifierKey(generateNoteKeys('nethical.test/audit').verifierKey);
    expect(() => openCheckpoint(note, other)).toThrow(/no signature/);
    const [name, id] = keys.verifierKey.split('+');
    const b64 = keys.verifierKey.slice(name!.length + id!.length + 2);
    const wrongId = `${name}+${((Number.parseInt(id!, 16) + 1) >>> 0).toString(16).padStart(8, '0')}+${b64}`;
    await expect(parseVerifierKey(wrongId)).rejects.toThrow(/id does not match/);
  });
});

describe('verifyRecord', () => {
  it('verifies a record included in the checkpoint', async () => {
    const out = await verifyRecord(source(20), '13');
    expect(out.status).toBe('verified');
    if (out.status === 'pending') return;
    expect(out.checks.map((c) => c.ok)).toEqual([true, true, true, true]);
    expect(out.keySource).toBe('gateway');
  });

  it('fails when the proof is tampered with, also for a one-leaf tree (empty proof)', async () => {
    for (const [size, id] of [
      [20, '13'],
      [1, '0'],
    ] as const) {
      const out = await verifyRecord(source(size), id, { tamper: true });
      expect(out.status).toBe('failed');
      if (out.status !== 'pending')
        expect(out.checks.at(-1)).toMatchObject({ name: 'Inclusion path', ok: false });
    }
  });

  it('fails when the record leaf was changed, or the gateway serves a proof for another leaf', async () => {
    const changed = source(20, {
      record: async () => ({ sequence: 13n, leaf: encoder.encode('record 13 edited') }),
    });
    expect((await verifyRecord(changed, '13')).status).toBe('failed');
    const moved = source(20, {
      inclusion: async (_id, treeSize) => ({
        index: 12n,
        treeSize,
        leafHash: leafHashes[12]!,
        hashes: await inclusionProof(reader, 12, 20),
      }),
    });
    expect((await verifyRecord(moved, '13')).status).toBe('failed');
  });

  it('without the admin key, checks the served leaf hash against the signed root', async () => {
    const out = await verifyRecord(source(20, { record: async () => undefined }), '13');
    expect(out.status).toBe('verified');
    const bad = await verifyRecord(source(20, { record: async () => undefined }), '13', {
      tamper: true,
    });
    expect(bad.status).toBe('failed');
  });

  it('fails against a pinned key that did not sign, and is pending for a record after the checkpoint', async () => {
    const pinned = generateNoteKeys('nethical.test/audit').verifierKey;
    const out = await verifyRecord(source(20), '13', { trustedKey: pinned });
    expect(out).toMatchObject({ status: 'failed', keySource: 'pinned' });
    expect(await verifyRecord(source(10), '13')).toEqual({
      status: 'pending',
      sequence: 13n,
      treeSize: 10n,
    });
  });

  it('without the admin key, is pending for a record in the tree but not yet in the checkpoint', async () => {
    // The anchor has the leaf (position 13 in the current tree); the latest checkpoint has 10.
    const anchored = source(10, {
      record: async () => undefined,
      position: async (id) => BigInt(id),
      inclusion: async () => {
        throw new Error('not in the tree of 10 leaves');
      },
    });
    expect(await verifyRecord(anchored, '13')).toEqual({
      status: 'pending',
      sequence: 13n,
      treeSize: 10n,
    });
    // Once a checkpoint covers it, it verifies.
    const covered = source(20, {
      record: async () => undefined,
      position: async (id) => BigInt(id),
    });
    expect((await verifyRecord(covered, '13')).status).toBe('verified');
    // Unknown to the tree: no position, and the proof's own error is what the person sees.
    const unknown = source(10, {
      record: async () => undefined,
      position: async () => undefined,
      inclusion: async () => {
        throw new Error('action_id: no record');
      },
    });
    await expect(verifyRecord(unknown, 'x')).rejects.toThrow(/no record/);
  });
});
