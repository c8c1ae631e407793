/**
 * A proof or root was requested for indices outside the tree (e.g. index ≥ size, first > second,
 * size beyond what the reader holds). Services map it to InvalidArgument / 400.
 */
export class TreeRangeError extends RangeError {
  override readonly name = 'TreeRangeError';
}

/** A node reader could not supply a hash it was asked for (storage is behind or corrupt). */
export class MissingNodeError extends Error {
  override readonly name = 'MissingNodeError';
  constructor(
    readonly level: number,
    readonly index: number,
  ) {
    super(`node hash (level ${level}, index ${index}) is not available`);
  }
}
