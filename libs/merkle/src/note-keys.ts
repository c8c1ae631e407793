/**
 * Ed25519 keys for C2SP signed notes, in the text formats of Go's golang.org/x/mod/sumdb/note:
 *
 *     verifier key  <name>+<8 hex key id>+<base64(0x01 || 32-byte public key)>
 *     signer key    PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte seed)>
 *
 * key id = first 4 bytes (big-endian) of SHA-256(<name> || "\n" || 0x01 || public key).
 * Ed25519 itself is node:crypto (OpenSSL); only the key encodings are written here.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign as edSign,
  verify as edVerify,
  type KeyObject,
} from 'node:crypto';
import { fromBase64, toBase64 } from './encoding';

/** Algorithm byte for Ed25519 in note keys. */
export const ALG_ED25519 = 0x01;

/** Something that signs notes under a name and key id. */
export interface NoteSigner {
  readonly name: string;
  /** 32-bit key id (see module doc). */
  readonly keyId: number;
  /** Verifier key string matching this signer. */
  readonly verifierKey: string;
  sign(message: Uint8Array): Uint8Array;
}

/** Something that checks note signatures of one name and key id. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** A key string is malformed, uses an unknown algorithm or its key id does not match. */
export class NoteKeyError extends Error {
  override readonly name = 'NoteKeyError';
}

// DER prefixes that wrap a raw 32-byte Ed25519 seed / public key for node:crypto (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Key names: non-empty, no whitespace, no '+' (as note.isValidName). */
export function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\s\u0085+]/u.test(name);
}

/** Key id of `name` and an algorithm-prefixed public key. */
export function keyIdOf(name: string, algAndKey: Uint8Array): number {
  const sum = createHash('sha256').update(name).update('\n').update(algAndKey).digest();
  return sum.readUInt32BE(0);
}

const hex8 = (id: number) => id.toString(16).padStart(8, '0');

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

function publicKeyBytes(priv: KeyObject): Uint8Array {
  const der = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(SPKI_PREFIX.length));
}

/** Split `text` at the first `n - 1` '+' signs, as strings.Cut repeated (last part keeps '+'). */
function cutPlus(text: string, n: number): string[] {
  const parts: string[] = [];
  let rest = text;
  for (let i = 0; i < n - 1; i++) {
    const at = rest.indexOf('+');
    if (at < 0) {
      parts.push(rest);
      rest = '';
    } else {
      parts.push(rest.slice(0, at));
      rest = rest.slice(at + 1);
    }
  }
  parts.push(rest);
  return parts;
}

function parseKeyId(hex: string): number | undefined {
  return /^[0-9a-fA-F]{8}$/.test(hex) ? Number.parseInt(hex, 16) : undefined;
}

/**
 * Generate an Ed25519 note key pair for `name`.
 * @param random source of the 32-byte seed (injected for tests; defaults to crypto randomness).
 */
export function generateNoteKeys(
  name: string,
  random: (n: number) => Uint8Array = (n) => randomBytes(n),
): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) throw new NoteKeyError(`invalid key name "${name}"`);
  const seed = random(32);
  if (seed.length !== 32) throw new NoteKeyError('seed must be 32 bytes');
  const pub = Uint8Array.of(ALG_ED25519, ...publicKeyBytes(privateKeyFromSeed(seed)));
  const id = hex8(keyIdOf(name, pub));
  return {
    signerKey: `PRIVATE+KEY+${name}+${id}+${toBase64(Uint8Array.of(ALG_ED25519, ...seed))}`,
    verifierKey: `${name}+${id}+${toBase64(pub)}`,
  };
}

/** Parse a verifier key string. Throws {@link NoteKeyError}. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const [name = '', hex = '', b64 = ''] = cutPlus(vkey.trim(), 3);
  const keyId = parseKeyId(hex);
  const key = fromBase64(b64);
  if (keyId === undefined || !key || key.length === 0 || !isValidKeyName(name)) {
    throw new NoteKeyError('malformed verifier key');
  }
  if (keyId !== keyIdOf(name, key)) throw new NoteKeyError('verifier key id does not match key');
  if (key[0] !== ALG_ED25519) throw new NoteKeyError(`unknown key algorithm ${key[0]}`);
  if (key.length !== 33) throw new NoteKeyError('malformed verifier key');
  const pub = createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, key.subarray(1)]),
    format: 'der',
    type: 'spki',
  });
  return {
    name,
    keyId,
    verify(message, signature) {
      if (signature.length !== 64) return false;
      try {
        return edVerify(null, message, pub, signature);
      } catch {
        return false;
      }
    },
  };
}

/** Parse a signer key string (`PRIVATE+KEY+…`). Throws {@link NoteKeyError}. */
export function parseSignerKey(skey: string): NoteSigner {
  const [p1, p2, name = '', hex = '', b64 = ''] = cutPlus(skey.trim(), 5);
  const keyId = parseKeyId(hex);
  const key = fromBase64(b64);
  if (p1 !== 'PRIVATE' || p2 !== 'KEY' || keyId === undefined || !key || key.length === 0) {
    throw new NoteKeyError('malformed signer key');
  }
  if (!isValidKeyName(name)) throw new NoteKeyError('malformed signer key');
  if (key[0] !== ALG_ED25519) throw new NoteKeyError(`unknown key algorithm ${key[0]}`);
  if (key.length !== 33) throw new NoteKeyError('malformed signer key');
  const priv = privateKeyFromSeed(key.subarray(1));
  const pub = Uint8Array.of(ALG_ED25519, ...publicKeyBytes(priv));
  if (keyId !== keyIdOf(name, pub)) throw new NoteKeyError('signer key id does not match key');
  return {
    name,
    keyId,
    verifierKey: `${name}+${hex8(keyId)}+${toBase64(pub)}`,
    sign: (message) => new Uint8Array(edSign(null, message, priv)),
  };
}
