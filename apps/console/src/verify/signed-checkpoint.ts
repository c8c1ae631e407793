/**
 * C2SP signed-note checkpoints opened in the browser: the Ed25519 signature with @noble/curves
 * (strict RFC 8032, as Go's crypto/ed25519), key ids and hashes with WebCrypto. The formats
 * are those of libs/merkle (note-keys.ts, signed-note.ts, checkpoint.ts), whose code is
 * node:crypto; test/web-verify.test.ts checks this module against notes libs/merkle signs.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromBase64, sha256 } from './bytes';

/** A parsed verifier key `<name>+<8 hex key id>+<base64(0x01 || public key)>`. */
export interface VerifierKey {
  name: string;
  keyId: number;
  publicKey: Uint8Array;
}

/** What a verified checkpoint commits to. */
export interface VerifiedCheckpoint {
  origin: string;
  size: bigint;
  rootHash: Uint8Array;
  /** The signed text. */
  text: string;
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

const encoder = new TextEncoder();

/** Parse and check a verifier key (its key id must match its name and key). */
export async function parseVerifierKey(vkey: string): Promise<VerifierKey> {
  // Cut at the first two '+' only: the base64 key may itself hold '+' (Go's strings.Cut).
  const text = vkey.trim();
  const a = text.indexOf('+');
  const b = text.indexOf('+', a + 1);
  if (a < 0 || b < 0) throw new CheckpointError('malformed verifier key');
  const [name, hex, b64] = [text.slice(0, a), text.slice(a + 1, b), text.slice(b + 1)];
  const key = fromBase64(b64);
  if (!name || /\s/.test(name) || !/^[0-9a-fA-F]{8}$/.test(hex) || !key)
    throw new CheckpointError('malformed verifier key');
  if (key.length !== 33 || key[0] !== 0x01)
    throw new CheckpointError('not an Ed25519 verifier key');
  const sum = await sha256(encoder.encode(`${name}\n`), key);
  const keyId = new DataView(sum.buffer).getUint32(0);
  if (keyId !== Number.parseInt(hex, 16))
    throw new CheckpointError('verifier key id does not match the key');
  return { name, keyId, publicKey: key.subarray(1) };
}

/**
 * Open a signed checkpoint note with one trusted key: the key's signature line must be present
 * and verify over the note text; then the body is parsed (origin, size, root).
 */
export function openCheckpoint(note: string, key: VerifierKey): VerifiedCheckpoint {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n'))
    throw new CheckpointError('the note has no signature block');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  let signed = false;
  for (const line of lines) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new CheckpointError('bad signature line');
    const blob = fromBase64(m[2]!);
    if (!blob || blob.length !== 68) continue;
    const keyId = new DataView(blob.buffer).getUint32(0);
    if (m[1] !== key.name || keyId !== key.keyId) continue;
    if (!ed25519.verify(blob.subarray(4), encoder.encode(text), key.publicKey, { zip215: false })) {
      throw new CheckpointError(`the signature by ${key.name} does not verify`);
    }
    signed = true;
  }
  if (!signed) throw new CheckpointError(`no signature by ${key.name}`);
  const body = text.slice(0, -1).split('\n');
  const [origin = '', sizeText = '', rootText = ''] = body;
  const rootHash = fromBase64(rootText);
  if (!origin || !/^(?:0|[1-9][0-9]*)$/.test(sizeText) || !rootHash || rootHash.length !== 32) {
    throw new CheckpointError('malformed checkpoint body');
  }
  return { origin, size: BigInt(sizeText), rootHash, text };
}
