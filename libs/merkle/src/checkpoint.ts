/**
 * C2SP tlog-checkpoint bodies (https://c2sp.org/tlog-checkpoint): the text a log signs to commit
 * to a tree size and root.
 *
 *     <origin>\n<tree size, decimal>\n<base64 root hash>\n[<extension line>\n]*
 */
import { fromBase64, toBase64 } from './encoding';
import { HASH_SIZE } from './hasher';

/** A parsed checkpoint body. */
export interface Checkpoint {
  /** Unique identity of the log, e.g. `nethical.example/audit`. */
  readonly origin: string;
  /** Number of leaves. */
  readonly size: number;
  /** Root hash of the tree of `size` leaves (32 bytes). */
  readonly rootHash: Uint8Array;
  /** Optional extension lines (opaque, non-empty), in order. */
  readonly extensions?: readonly string[];
}

/** The checkpoint text is malformed (or a field given to format it is invalid). */
export class CheckpointFormatError extends Error {
  override readonly name = 'CheckpointFormatError';
}

const SIZE = /^(?:0|[1-9][0-9]*)$/;

function checkLine(what: string, line: string): void {
  // Lines may hold any text except newlines and control characters (signed-note rule).
  if (line === '' || /[\u0000-\u001f]/.test(line)) {
    throw new CheckpointFormatError(`${what} must be a non-empty line without control characters`);
  }
}

/** Format a checkpoint body. Throws {@link CheckpointFormatError} on invalid fields. */
export function formatCheckpoint(c: Checkpoint): string {
  checkLine('origin', c.origin);
  if (!Number.isSafeInteger(c.size) || c.size < 0) {
    throw new CheckpointFormatError(`size must be a non-negative safe integer`);
  }
  if (c.rootHash.length !== HASH_SIZE)
    throw new CheckpointFormatError('root hash must be 32 bytes');
  const ext = c.extensions ?? [];
  for (const line of ext) checkLine('extension line', line);
  return [c.origin, String(c.size), toBase64(c.rootHash), ...ext].map((l) => `${l}\n`).join('');
}

/**
 * Parse a checkpoint body (the note text without signatures). Strict: decimal size without
 * leading zeros, canonical base64 of exactly 32 bytes, trailing newline, no empty lines.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new CheckpointFormatError('checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new CheckpointFormatError('checkpoint needs at least three lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [
    string,
    string,
    string,
    ...string[],
  ];
  checkLine('origin', origin);
  if (!SIZE.test(sizeText)) throw new CheckpointFormatError(`invalid tree size "${sizeText}"`);
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new CheckpointFormatError('tree size too large');
  const rootHash = fromBase64(rootText);
  if (!rootHash || rootHash.length !== HASH_SIZE) {
    throw new CheckpointFormatError('root hash must be base64 of 32 bytes');
  }
  for (const line of extensions) checkLine('extension line', line);
  return extensions.length > 0
    ? { origin, size, rootHash, extensions }
    : { origin, size, rootHash };
}
