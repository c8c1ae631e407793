import {
  CheckpointFormatError,
  formatCheckpoint,
  parseCheckpoint,
  type Checkpoint,
} from './checkpoint';
import type { NoteSigner, NoteVerifier } from './note-keys';
import { openNote, signNote, type OpenedNote } from './signed-note';

/** Format `checkpoint` and sign it as a note. */
export function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

/**
 * Open a signed checkpoint: verify the note signature(s) with `verifiers`, then parse the body.
 * When `origin` is given the checkpoint must name it (a checkpoint of another log is an error).
 * @throws NoteError for signature problems, CheckpointFormatError for a bad body.
 */
export function openCheckpoint(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  origin?: string,
): { checkpoint: Checkpoint; note: OpenedNote } {
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw new CheckpointFormatError(`checkpoint origin "${checkpoint.origin}" is not "${origin}"`);
  }
  return { checkpoint, note: opened };
}
