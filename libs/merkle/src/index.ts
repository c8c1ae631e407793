/**
 * RFC 6962 / RFC 9162 Merkle trees, proofs, C2SP checkpoints and signed notes. Pure: no I/O
 * beyond the {@link NodeReader} a caller supplies.
 *
 * Why hand-written: there is no maintained JavaScript RFC 6962 library offering compact ranges,
 * proofs at past sizes over pluggable storage and RFC 9162 verification; the algorithms are short
 * and fully covered by the transparency-dev/merkle vectors (see conformance.test.ts). Hashing
 * and Ed25519 are node:crypto.
 */
export * from './hasher';
export * from './tree-math';
export * from './errors';
export * from './compact-range';
export * from './node-reader';
export * from './proof-generation';
export * from './proof-verification';
export * from './encoding';
export * from './checkpoint';
export * from './note-keys';
export { NoteError, openNote, signNote } from './signed-note';
export type { NoteErrorCode, NoteSignature, OpenedNote } from './signed-note';
export { openCheckpoint, signCheckpoint } from './signed-checkpoint';
