/**
 * Offline verification of what merkle-anchor / the gateway hand out: a signed checkpoint, and
 * an inclusion or consistency proof against it. Pure functions over text inputs, so the CLI is a
 * thin shell and tests call these directly.
 */
import {
  fromBase64,
  hashLeaf,
  openCheckpoint,
  parseVerifierKey,
  toBase64,
  verifyConsistency,
  verifyInclusion,
  type Checkpoint,
} from '@nethical/merkle';

/** Outcome of an offline check: a one-line summary either way. */
export type OfflineResult =
  | { readonly ok: true; readonly summary: string; readonly checkpoint: Checkpoint }
  | { readonly ok: false; readonly reason: string };

/** Inclusion proof as the gateway serves it over HTTP. */
export interface InclusionProofJson {
  index: number | string;
  tree_size: number | string;
  leaf_hash?: string;
  hashes: string[];
}

/** Consistency proof as the gateway serves it over HTTP. */
export interface ConsistencyProofJson {
  first: number | string;
  second: number | string;
  hashes: string[];
}

/** A malformed input (proof JSON, hash, number): reported, not thrown past the CLI. */
export class VerifyInputError extends Error {
  override readonly name = 'VerifyInputError';
}

function toSize(what: string, v: unknown): number {
  const n = typeof v === 'string' && /^(?:0|[1-9][0-9]*)$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new VerifyInputError(`${what} must be a non-negative integer`);
  }
  return n;
}

function b64(what: string, v: unknown): Uint8Array {
  const bytes = typeof v === 'string' ? fromBase64(v) : undefined;
  if (!bytes) throw new VerifyInputError(`${what} must be standard base64`);
  return bytes;
}

function hashList(v: unknown): Uint8Array[] {
  if (!Array.isArray(v)) throw new VerifyInputError('hashes must be an array of base64 strings');
  return v.map((h, i) => b64(`hashes[${i}]`, h));
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new VerifyInputError('proof must be a JSON object');
}

function checkpointOf(note: string, key: string, origin: string | undefined, what: string) {
  try {
    return openCheckpoint(note, [parseVerifierKey(key)], origin).checkpoint;
  } catch (err) {
    throw new VerifyInputError(`${what}: ${(err as Error).message}`);
  }
}

const failed = (err: unknown): OfflineResult => {
  if (err instanceof VerifyInputError) return { ok: false, reason: err.message };
  throw err;
};

export interface InclusionInput {
  /** Signed checkpoint note text. */
  checkpointNote: string;
  /** Verifier key string `<name>+<hex id>+<base64 key>`. */
  verifierKey: string;
  /** Proof JSON text. */
  proofJson: string;
  /** Leaf hash (base64), or… */
  leafHash?: string | undefined;
  /** …the leaf bytes (base64), hashed here with the RFC 6962 leaf prefix. */
  leaf?: string | undefined;
  /** Expected leaf index / tree size (checked against the proof when given). */
  index?: number | string | undefined;
  treeSize?: number | string | undefined;
  /** Expected checkpoint origin. */
  origin?: string | undefined;
}

/**
 * Verify the checkpoint signature, then that the leaf is included in the checkpoint's tree.
 * The proof's tree size must be the checkpoint's size (it proves against that root).
 */
export function verifyInclusionOffline(input: InclusionInput): OfflineResult {
  try {
    const checkpoint = checkpointOf(
      input.checkpointNote,
      input.verifierKey,
      input.origin,
      'checkpoint',
    );
    const proof = parseJson(input.proofJson);
    const index = toSize('index', proof.index);
    const treeSize = toSize('tree_size', proof.tree_size);
    if (input.index !== undefined && toSize('--index', input.index) !== index) {
      return { ok: false, reason: `proof is for index ${index}, not ${input.index}` };
    }
    if (input.treeSize !== undefined && toSize('--tree-size', input.treeSize) !== treeSize) {
      return { ok: false, reason: `proof is for tree size ${treeSize}, not ${input.treeSize}` };
    }
    if (treeSize !== checkpoint.size) {
      return {
        ok: false,
        reason: `proof is for tree size ${treeSize}, checkpoint is ${checkpoint.size}`,
      };
    }
    const given =
      input.leafHash !== undefined
        ? b64('--leaf-hash', input.leafHash)
        : input.leaf !== undefined
          ? hashLeaf(b64('--leaf', input.leaf))
          : undefined;
    if (!given) throw new VerifyInputError('give the leaf (--leaf) or its hash (--leaf-hash)');
    if (
      proof.leaf_hash !== undefined &&
      toBase64(b64('leaf_hash', proof.leaf_hash)) !== toBase64(given)
    ) {
      return { ok: false, reason: 'the proof is for a different leaf hash' };
    }
    const result = verifyInclusion(
      index,
      treeSize,
      given,
      hashList(proof.hashes),
      checkpoint.rootHash,
    );
    if (!result.ok) return { ok: false, reason: `${result.code}: ${result.message}` };
    return {
      ok: true,
      checkpoint,
      summary: `leaf ${index} is included in ${checkpoint.origin} at size ${treeSize}`,
    };
  } catch (err) {
    return failed(err);
  }
}

export interface ConsistencyInput {
  oldNote: string;
  newNote: string;
  verifierKey: string;
  proofJson: string;
  origin?: string | undefined;
}

/**
 * Verify both checkpoint signatures (same origin), then that the new tree extends the old one.
 */
export function verifyConsistencyOffline(input: ConsistencyInput): OfflineResult {
  try {
    const older = checkpointOf(input.oldNote, input.verifierKey, input.origin, 'old checkpoint');
    const newer = checkpointOf(input.newNote, input.verifierKey, input.origin, 'new checkpoint');
    if (older.origin !== newer.origin) {
      return {
        ok: false,
        reason: `checkpoints of different logs: ${older.origin} / ${newer.origin}`,
      };
    }
    const proof = parseJson(input.proofJson);
    const first = toSize('first', proof.first);
    const second = toSize('second', proof.second);
    if (first !== older.size || second !== newer.size) {
      const want = `${older.size} -> ${newer.size}`;
      return {
        ok: false,
        reason: `proof is for sizes ${first} -> ${second}, checkpoints are ${want}`,
      };
    }
    const result = verifyConsistency(
      first,
      second,
      hashList(proof.hashes),
      older.rootHash,
      newer.rootHash,
    );
    if (!result.ok) return { ok: false, reason: `${result.code}: ${result.message}` };
    return {
      ok: true,
      checkpoint: newer,
      summary: `${newer.origin}: tree at size ${second} extends size ${first}`,
    };
  } catch (err) {
    return failed(err);
  }
}
