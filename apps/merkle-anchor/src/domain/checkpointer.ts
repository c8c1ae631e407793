/**
 * Signs C2SP checkpoints of the log every `everyLeaves` leaves or `everyMs` milliseconds
 * (whichever comes first, and only when the tree grew), and keeps the latest one persisted.
 *
 * MUST hold:
 * - A checkpoint is signed only after a consistency proof from the previous checkpoint to the
 *   new tree verified against both signed roots; otherwise InconsistentCheckpointError, and
 *   nothing is signed or stored.
 * - At start, the stored latest checkpoint must match the stored tree (same root at its size),
 *   or the checkpointer refuses to start: a store that lost or changed leaves is a fork.
 * - `latest()` is a checkpoint that is already durable in the store.
 */
import {
  EMPTY_ROOT,
  equalBytes,
  signCheckpoint,
  verifyConsistency,
  type NoteSigner,
} from '@nethical/merkle';
import { InconsistentCheckpointError } from './errors';
import type { MerkleLog } from './merkle-log';
import type { StoredCheckpoint, TreeStore } from './tree-store';

/** Injected time source (ms since epoch). */
export interface Clock {
  now(): number;
}

export interface CheckpointerOptions {
  log: MerkleLog;
  store: Pick<TreeStore, 'saveCheckpoint' | 'latestCheckpoint'>;
  signer: NoteSigner;
  /** Checkpoint origin line, the log's identity (e.g. `nethical.example/audit`). */
  origin: string;
  clock: Clock;
  /** Sign when at least this many leaves were added since the last checkpoint. */
  everyLeaves: number;
  /** Sign when the tree grew and this much time passed since the last checkpoint. */
  everyMs: number;
}

/** Creates checkpoints; create with {@link startCheckpointer}. */
export interface Checkpointer {
  /** The latest durable checkpoint. */
  latest(): StoredCheckpoint;
  /**
   * Sign a checkpoint if one is due (call after appends and from a timer). Returns the new
   * checkpoint, or undefined when none was due.
   */
  maybeCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** Sign a checkpoint now if the tree grew since the last one (e.g. at shutdown). */
  checkpointNow(): Promise<StoredCheckpoint | undefined>;
}

/**
 * Load the latest checkpoint, check it against the log, and sign the first checkpoint (of the
 * current tree, possibly empty) when there is none yet.
 */
export async function startCheckpointer(options: CheckpointerOptions): Promise<Checkpointer> {
  const { log, store, signer, origin, clock } = options;
  let latest = await store.latestCheckpoint();
  if (latest) {
    if (latest.size > log.size) {
      throw new InconsistentCheckpointError(
        `latest checkpoint has ${latest.size} leaves but the tree only ${log.size}`,
      );
    }
    const root = await log.rootAt(latest.size);
    if (!equalBytes(root, latest.rootHash)) {
      throw new InconsistentCheckpointError(`tree root at ${latest.size} differs from checkpoint`);
    }
  }

  async function sign(): Promise<StoredCheckpoint> {
    const size = log.size;
    const rootHash = await log.rootAt(size);
    if (latest) await proveExtends(latest, size, rootHash);
    const note = signCheckpoint({ origin, size, rootHash }, [signer]);
    const checkpoint = { size, rootHash, note, createdAtMs: clock.now() };
    await store.saveCheckpoint(checkpoint);
    latest = checkpoint;
    return checkpoint;
  }

  async function proveExtends(prev: StoredCheckpoint, size: number, rootHash: Uint8Array) {
    if (size < prev.size) {
      throw new InconsistentCheckpointError(`tree shrank from ${prev.size} to ${size} leaves`);
    }
    if (prev.size === 0) {
      // Every tree extends the empty one; only the empty root itself can be wrong.
      if (!equalBytes(prev.rootHash, EMPTY_ROOT)) {
        throw new InconsistentCheckpointError('empty checkpoint with a non-empty root');
      }
      return;
    }
    const proof = await log.consistencyProof(prev.size, size);
    const result = verifyConsistency(prev.size, size, proof.hashes, prev.rootHash, rootHash);
    if (!result.ok) {
      throw new InconsistentCheckpointError(
        `tree of ${size} leaves does not extend checkpoint ${prev.size}: ${result.message}`,
      );
    }
  }

  // Signing runs one at a time so a timer tick and an append cannot sign the same size twice.
  let queue: Promise<unknown> = Promise.resolve();
  const serialise = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  if (!latest) await sign();

  const grew = () => log.size > latest!.size;
  return {
    latest: () => latest!,
    maybeCheckpoint: () =>
      serialise(async () => {
        const due =
          log.size - latest!.size >= options.everyLeaves ||
          (grew() && clock.now() - latest!.createdAtMs >= options.everyMs);
        return due ? sign() : undefined;
      }),
    checkpointNow: () => serialise(async () => (grew() ? sign() : undefined)),
  };
}
