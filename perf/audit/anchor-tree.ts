import {
  createCompactRange,
  generateNoteKeys,
  parseSignerKey,
  signCheckpoint,
} from '@nethical/merkle';
import type { SqlClient } from '@nethical/postgres';
// The merkle-anchor's own store and tile layout, reused so that a bulk-loaded tree is exactly
// what the service would have written (tools are not an app; no app imports this).
import { openSqlTreeStore } from '../../apps/merkle-anchor/src/adapters/sql-tree-store';
import { tileAppendsFor } from '../../apps/merkle-anchor/src/domain/tiles';

/** What `anchorLeafHashes` built. */
export interface AnchoredTree {
  size: number;
  root: Uint8Array;
  /** The signed checkpoint note of the final size. */
  note: string;
  /** Verifier key of the signer (generated when no signer key was given). */
  verifierKey: string;
}

/**
 * Build the merkle-anchor tree (tiles, size, one signed checkpoint) from leaf hashes in leaf
 * order, into an empty store. Used by the bulk loader and the tamper tests; the live service
 * builds the same tables by following the audit log.
 */
export async function anchorLeafHashes(options: {
  sql: SqlClient;
  batches: AsyncIterable<Uint8Array[]> | Iterable<Uint8Array[]>;
  origin?: string | undefined;
  /** `PRIVATE+KEY+…` signer key; a fresh one is generated when absent. */
  signerKey?: string | undefined;
  tablePrefix?: string | undefined;
  now?: () => number;
}): Promise<AnchoredTree> {
  const store = await openSqlTreeStore({ sql: options.sql, tablePrefix: options.tablePrefix });
  if ((await store.size()) !== 0) throw new Error('anchorLeafHashes needs an empty merkle store');
  const keys = options.signerKey ? undefined : generateNoteKeys('nethical-audit-bulk');
  const signer = parseSignerKey(options.signerKey ?? keys!.signerKey);
  const range = createCompactRange();
  for await (const batch of options.batches) {
    if (batch.length === 0) continue;
    const fromSize = range.size;
    const nodes = batch.flatMap((h) => range.append(h));
    await store.commit({ fromSize, toSize: range.size, tiles: tileAppendsFor(nodes) });
  }
  const root = range.root();
  const note = signCheckpoint(
    { origin: options.origin ?? 'nethical.local/audit', size: range.size, rootHash: root },
    [signer],
  );
  await store.saveCheckpoint({
    size: range.size,
    rootHash: root,
    note,
    createdAtMs: (options.now ?? Date.now)(),
  });
  return { size: range.size, root, note, verifierKey: keys?.verifierKey ?? '' };
}
