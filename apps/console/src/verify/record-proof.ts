/**
 * Verify one audit record end to end in the page: the signed checkpoint (Ed25519), the record's
 * leaf hash (SHA-256 of its leaf bytes, computed here) and its RFC 6962 inclusion path up to the
 * checkpoint's root. The gateway is not trusted for any hash: only bytes come from it.
 */
import { toHex } from './bytes';
import { hashLeaf, verifyInclusion } from './rfc6962';
import { openCheckpoint, parseVerifierKey, type VerifiedCheckpoint } from './signed-checkpoint';

/** What the verifier reads from the gateway (the console passes Connect clients). */
export interface ProofSource {
  checkpoint(): Promise<{ note: string; verifierKey: string }>;
  /** The record's sequence and leaf bytes; undefined when the caller may not read records. */
  record(actionId: string): Promise<{ sequence: bigint; leaf: Uint8Array } | undefined>;
  /**
   * The record's leaf index in the current tree (a proof against the newest tree), for callers
   * who may not read the record; undefined when it is not known there.
   */
  position?(actionId: string): Promise<bigint | undefined>;
  inclusion(
    actionId: string,
    treeSize: bigint,
  ): Promise<{ index: bigint; treeSize: bigint; leafHash: Uint8Array; hashes: Uint8Array[] }>;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export type RecordVerification =
  | {
      status: 'verified' | 'failed';
      checks: Check[];
      checkpoint?: VerifiedCheckpoint;
      keySource: 'pinned' | 'gateway';
      /** The verifier key the gateway serves (to offer pinning it). */
      servedKey: string;
    }
  /** The record is newer than the latest checkpoint: ask again in a moment. */
  | { status: 'pending'; sequence: bigint; treeSize: bigint };

export interface VerifyOptions {
  /** Verifier key the user trusts; without it the key the gateway serves is used (and said so). */
  trustedKey?: string;
  /** Flip one bit of the proof (or of the leaf hash when the proof is empty) before checking. */
  tamper?: boolean;
}

const failed = (
  checks: Check[],
  keySource: 'pinned' | 'gateway',
  servedKey: string,
): RecordVerification => ({
  status: 'failed',
  checks,
  keySource,
  servedKey,
});

/** Run every check in order; the first failure stops the ones that depend on it. */
export async function verifyRecord(
  src: ProofSource,
  actionId: string,
  opts: VerifyOptions = {},
): Promise<RecordVerification> {
  const checks: Check[] = [];
  const served = await src.checkpoint();
  const keySource = opts.trustedKey ? 'pinned' : 'gateway';
  let checkpoint: VerifiedCheckpoint;
  try {
    const key = await parseVerifierKey(opts.trustedKey || served.verifierKey);
    checkpoint = openCheckpoint(served.note, key);
    checks.push({
      name: 'Checkpoint signature',
      ok: true,
      detail: `Ed25519 signature by ${key.name} (key id ${key.keyId.toString(16).padStart(8, '0')}) verifies; tree size ${checkpoint.size}`,
    });
  } catch (err) {
    checks.push({ name: 'Checkpoint signature', ok: false, detail: (err as Error).message });
    return failed(checks, keySource, served.verifierKey);
  }
  const record = await src.record(actionId);
  // A fresh record is in the tree before it is in a signed checkpoint: wait for the next one.
  const position = record ? record.sequence : await src.position?.(actionId);
  if (position !== undefined && position >= checkpoint.size)
    return { status: 'pending', sequence: position, treeSize: checkpoint.size };
  const proof = await src.inclusion(actionId, checkpoint.size);
  let leafHash: Uint8Array;
  if (record) {
    leafHash = await hashLeaf(record.leaf);
    checks.push({
      name: 'Leaf hash',
      ok: true,
      detail: `SHA-256(0x00 ‖ record leaf) = ${toHex(leafHash)}, computed here`,
    });
  } else {
    leafHash = proof.leafHash.slice();
    checks.push({
      name: 'Leaf hash',
      ok: true,
      detail: `${toHex(leafHash)} as served with the proof (the record itself needs the admin key to be read and hashed here)`,
    });
  }
  const sequence = record?.sequence ?? proof.index;
  const indexOk = proof.index === sequence && proof.treeSize === checkpoint.size;
  checks.push({
    name: 'Proof position',
    ok: indexOk,
    detail: `leaf ${proof.index} of ${proof.treeSize} (record sequence ${record ? sequence : 'not read'}, checkpoint size ${checkpoint.size})`,
  });
  if (!indexOk) return failed(checks, keySource, served.verifierKey);
  const hashes = proof.hashes.map((h) => h.slice());
  if (opts.tamper) {
    const target = hashes[0] ?? (leafHash = leafHash.slice());
    target[0]! ^= 0x01;
  }
  const verdict = await verifyInclusion(
    proof.index,
    checkpoint.size,
    leafHash,
    hashes,
    checkpoint.rootHash,
  );
  checks.push({
    name: 'Inclusion path',
    ok: verdict.ok,
    detail: verdict.ok
      ? `${hashes.length} hashes lead to the signed root ${toHex(checkpoint.rootHash)}`
      : `${verdict.reason}${opts.tamper ? ' (the proof was tampered with on purpose)' : ''}`,
  });
  const ok = checks.every((c) => c.ok);
  return {
    status: ok ? 'verified' : 'failed',
    checks,
    checkpoint,
    keySource,
    servedKey: served.verifierKey,
  };
}
