/**
 * Typed errors of the merkle-anchor domain. The service maps them once at the RPC edge:
 * LeafOrderError → FailedPrecondition (the follower must resume at `expected`),
 * TreeSizeError → InvalidArgument / OutOfRange, StoreConflictError and
 * InconsistentCheckpointError → Internal / Aborted (an operator must look).
 */

/** Leaves were offered out of sequence: the log only appends at its current size. */
export class LeafOrderError extends Error {
  override readonly name = 'LeafOrderError';
  constructor(
    /** The only index the log can append next (its current size). */
    readonly expected: number,
    readonly got: number,
  ) {
    super(`leaves must be appended at index ${expected}, got ${got}`);
  }
}

/** A root or proof was asked for a tree size the log does not have (yet). */
export class TreeSizeError extends RangeError {
  override readonly name = 'TreeSizeError';
}

/**
 * The store's state is not what this writer expected: another writer appended, or the stored
 * tiles do not line up with the stored size. Nothing was written.
 */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}

/**
 * Signing was refused because the tree is not an extension of the last signed checkpoint
 * (different root at the old size, or fewer leaves). A log MUST never sign a fork.
 */
export class InconsistentCheckpointError extends Error {
  override readonly name = 'InconsistentCheckpointError';
}
