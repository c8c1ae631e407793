import { create } from '@bufbuild/protobuf';
import { merklev1 } from '@nethical/contracts';
import type { ServiceImpl } from '@connectrpc/connect';
import { Code, ConnectError } from '@connectrpc/connect';
import { InvalidArgumentError, NotFoundError } from '@nethical/platform';
import type { Checkpointer } from '../domain/checkpointer';
import { TreeSizeError } from '../domain/errors';
import type { MerkleLog } from '../domain/merkle-log';

export interface MerkleServiceDeps {
  /** Undefined when anchoring is off (NETHICAL_ENABLE_MERKLE=false). */
  log: MerkleLog | undefined;
  checkpointer: Checkpointer | undefined;
  verifierKey: string;
  /** Sequence (leaf index) of an action id, from the audit store. */
  indexOf(actionId: string): Promise<bigint>;
  /** How long a proof by action id against the current tree waits for a leaf not yet anchored, ms. */
  anchorWaitMs: number;
}

const toNumber = (field: string, v: bigint): number => {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(field, 'is too large');
  return Number(v);
};

/** `nethical.merkle.v1.MerkleAnchorService` over the Merkle log and its checkpointer. */
export function merkleService(
  deps: MerkleServiceDeps,
): ServiceImpl<typeof merklev1.MerkleAnchorService> {
  const need = () => {
    if (!deps.log || !deps.checkpointer) {
      throw new ConnectError(
        'Merkle anchoring is disabled (NETHICAL_ENABLE_MERKLE=false)',
        Code.FailedPrecondition,
      );
    }
    return { log: deps.log, checkpointer: deps.checkpointer };
  };
  const sizes = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TreeSizeError) throw new InvalidArgumentError('tree_size', err.message);
      throw err;
    }
  };
  return {
    async getRoot() {
      const { log } = need();
      return create(merklev1.GetRootResponseSchema, {
        treeSize: BigInt(log.size),
        rootHash: log.root(),
      });
    },
    async getCheckpoint() {
      const { checkpointer } = need();
      const cp = checkpointer.latest();
      return create(merklev1.GetCheckpointResponseSchema, {
        note: cp.note,
        treeSize: BigInt(cp.size),
        rootHash: cp.rootHash,
        verifierKey: deps.verifierKey,
      });
    },
    async getInclusionProof(req, ctx) {
      const { log } = need();
      const index = req.actionId ? await deps.indexOf(req.actionId) : req.index;
      const i = toNumber('index', index);
      // An action's record is acknowledged before its leaf is anchored (the audit tail lingers,
      // NETHICAL_MERKLE_TAIL_LINGER_MS): asked by action id against the current tree, wait a
      // moment for the leaf instead of answering "not yet" to someone who just got a receipt.
      if (req.actionId && req.treeSize === 0n && i >= log.size)
        await log.waitForSize(i + 1, deps.anchorWaitMs, ctx.signal);
      const treeSize = req.treeSize === 0n ? log.size : toNumber('tree_size', req.treeSize);
      if (treeSize > log.size) {
        throw new InvalidArgumentError(
          'tree_size',
          `${treeSize} is larger than the tree (${log.size} leaves)`,
        );
      }
      if (i >= treeSize) {
        throw new NotFoundError(
          `index: leaf ${i} is not in the tree of ${treeSize} leaves${i >= log.size ? ' yet (anchoring follows the audit log; retry shortly)' : ''}`,
        );
      }
      const p = await sizes(() => log.inclusionProof(i, treeSize));
      return create(merklev1.GetInclusionProofResponseSchema, {
        index: BigInt(p.index),
        treeSize: BigInt(p.treeSize),
        leafHash: p.leafHash,
        hashes: p.hashes,
        rootHash: p.rootHash,
      });
    },
    async getConsistencyProof(req) {
      const { log } = need();
      const first = toNumber('first', req.first);
      const second = req.second === 0n ? log.size : toNumber('second', req.second);
      if (first < 1) throw new InvalidArgumentError('first', 'must be at least 1');
      if (first > second) throw new InvalidArgumentError('first', 'must not exceed second');
      if (second > log.size)
        throw new InvalidArgumentError(
          'second',
          `${second} is larger than the tree (${log.size} leaves)`,
        );
      const p = await sizes(() => log.consistencyProof(first, second));
      return create(merklev1.GetConsistencyProofResponseSchema, {
        first: BigInt(p.first),
        second: BigInt(p.second),
        hashes: p.hashes,
      });
    },
  };
}
