/**
 * C2SP signed notes (https://c2sp.org/signed-note), byte-compatible with Go's
 * golang.org/x/mod/sumdb/note: the text, a blank line, then one line per signature
 *
 *     — <name> <base64(4-byte big-endian key id || signature)>\n
 *
 * where "— " is U+2014 EM DASH and a space. The signed message is the text alone.
 */
import { fromBase64, toBase64 } from './encoding';
import type { NoteSigner, NoteVerifier } from './note-keys';
import { isValidKeyName } from './note-keys';

/** One signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** base64(key id || signature), as on the line. */
  readonly base64: string;
}

/** A note whose signatures were checked. */
export interface OpenedNote {
  /** The signed text, ending in a newline. */
  readonly text: string;
  /** Signatures verified by a known key (at least one). */
  readonly signatures: readonly NoteSignature[];
  /** Signatures by keys the caller did not supply (not checked). */
  readonly unverified: readonly NoteSignature[];
}

/** Why a note was rejected. */
export type NoteErrorCode = 'malformed' | 'unverified' | 'invalid-signature';

/**
 * A note could not be signed or opened: `malformed` text, no signature by a known key
 * (`unverified`), or a known key's signature that does not verify (`invalid-signature`).
 */
export class NoteError extends Error {
  override readonly name = 'NoteError';
  constructor(
    readonly code: NoteErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const SIG_PREFIX = '\u2014 ';
const MAX_SIGNATURES = 100;
const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Text may hold any UTF-8 except ASCII control characters other than newline. */
function hasBadCharacters(text: string): boolean {
  return /[\u0000-\u0009\u000b-\u001f]/.test(text);
}

/**
 * Sign `text` (which must end in a newline) with each signer, returning the note.
 * @throws NoteError `malformed` for text that cannot be a note.
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!text.endsWith('\n') || hasBadCharacters(text)) {
    throw new NoteError(
      'malformed',
      'note text must end in a newline and hold no control characters',
    );
  }
  if (signers.length === 0) throw new NoteError('malformed', 'at least one signer is required');
  const message = encoder.encode(text);
  const lines = signers.map((s) => {
    if (!isValidKeyName(s.name))
      throw new NoteError('malformed', `invalid signer name "${s.name}"`);
    const sig = s.sign(message);
    const blob = new Uint8Array(4 + sig.length);
    new DataView(blob.buffer).setUint32(0, s.keyId >>> 0);
    blob.set(sig, 4);
    return `${SIG_PREFIX}${s.name} ${toBase64(blob)}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/**
 * Open a signed note: check its form and verify the signatures of the keys in `verifiers`.
 * Signatures of other keys are returned as `unverified` and do not count. Duplicate lines are
 * ignored, as in Go.
 * @throws NoteError `malformed`, `unverified` (no known key signed) or `invalid-signature`.
 */
export function openNote(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): OpenedNote {
  let msg: string;
  if (typeof note === 'string') {
    msg = note;
  } else {
    try {
      msg = strictUtf8.decode(note);
    } catch {
      throw new NoteError('malformed', 'note is not valid UTF-8');
    }
  }
  if (hasBadCharacters(msg)) throw new NoteError('malformed', 'note holds control characters');
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('malformed', 'note has no signature block');
  const text = msg.slice(0, split + 1);
  let sigs = msg.slice(split + 2);
  if (sigs === '' || !sigs.endsWith('\n')) throw new NoteError('malformed', 'bad signature block');
  const message = encoder.encode(text);
  const signatures: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  let count = 0;
  while (sigs.length > 0) {
    const nl = sigs.indexOf('\n');
    const line = sigs.slice(0, nl);
    sigs = sigs.slice(nl + 1);
    if (!line.startsWith(SIG_PREFIX)) throw new NoteError('malformed', 'bad signature line');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    const blob = fromBase64(b64);
    if (!blob || b64 === '' || blob.length < 5 || !isValidKeyName(name)) {
      throw new NoteError('malformed', 'bad signature line');
    }
    if (++count > MAX_SIGNATURES) throw new NoteError('malformed', 'too many signatures');
    const keyId = new DataView(blob.buffer, blob.byteOffset).getUint32(0);
    const sig = { name, keyId, base64: b64 };
    if (seen.has(line)) continue;
    seen.add(line);
    const verifier = verifiers.find((v) => v.name === name && v.keyId === keyId);
    if (!verifier) {
      unverified.push(sig);
      continue;
    }
    if (signatures.some((s) => s.name === name && s.keyId === keyId)) continue;
    if (!verifier.verify(message, blob.subarray(4))) {
      throw new NoteError('invalid-signature', `signature by ${name} does not verify`);
    }
    signatures.push(sig);
  }
  if (signatures.length === 0) throw new NoteError('unverified', 'no signature by a known key');
  return { text, signatures, unverified };
}
