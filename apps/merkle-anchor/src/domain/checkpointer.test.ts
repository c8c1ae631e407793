import {
  generateNoteKeys,
  openCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  toHex,
} from '@nethical/merkle';
import { describe, expect, it } from 'vitest';
import { createMemoryTreeStore } from './memory-tree-store';
import { startCheckpointer } from './checkpointer';
import { InconsistentCheckpointError } from './errors';
import { openMerkleLog, type MerkleLog } from './merkle-log';

const ORIGIN = 'nethical.test/audit';
const keys = generateNoteKeys(ORIGIN, () => new Uint8Array(32).fill(42));
const signer = parseSignerKey(keys.signerKey);
const verifier = parseVerifierKey(keys.verifierKey);
const leaf = (i: number) => new TextEncoder().encode(`record ${i}`);
const leaves = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => leaf(from + k));

async function setup() {
  const store = createMemoryTreeStore();
  const log = await openMerkleLog(store);
  const clock = { t: 1_000_000, now: () => clock.t };
  const start = (l: MerkleLog = log) =>
    startCheckpointer({
      log: l,
      store,
      signer,
      origin: ORIGIN,
      clock,
      everyLeaves: 10,
      everyMs: 5_000,
    });
  return { store, log, clock, start };
}

describe('checkpointer', () => {
  it('signs the empty tree at start, then every N leaves or T ms, and persists the latest', async () => {
    const { store, log, clock, start } = await setup();
    const cp = await start();
    expect(cp.latest().size).toBe(0);
    await log.append(0, leaves(0, 9));
    expect(await cp.maybeCheckpoint()).toBeUndefined(); // 9 < 10 leaves, no time passed
    await log.append(9, leaves(9, 10));
    const ten = await cp.maybeCheckpoint();
    expect(ten?.size).toBe(10);
    const opened = openCheckpoint(ten!.note, [verifier], ORIGIN);
    expect(opened.checkpoint.size).toBe(10);
    expect(toHex(opened.checkpoint.rootHash)).toBe(toHex(log.root()));
    expect((await store.latestCheckpoint())?.note).toBe(ten!.note);

    await log.append(10, leaves(10, 12));
    clock.t += 4_999;
    expect(await cp.maybeCheckpoint()).toBeUndefined();
    clock.t += 1;
    expect((await cp.maybeCheckpoint())?.size).toBe(12);
    clock.t += 60_000;
    expect(await cp.maybeCheckpoint()).toBeUndefined(); // time passed but no growth
    await log.append(12, leaves(12, 13));
    expect((await cp.checkpointNow())?.size).toBe(13);
    expect(await cp.checkpointNow()).toBeUndefined();
  });

  it('resumes from the stored checkpoint after a restart', async () => {
    const { store, log, clock, start } = await setup();
    const cp = await start();
    await log.append(0, leaves(0, 15));
    await cp.maybeCheckpoint();
    const reopened = await startCheckpointer({
      log: await openMerkleLog(store),
      store,
      signer,
      origin: ORIGIN,
      clock,
      everyLeaves: 10,
      everyMs: 5_000,
    });
    expect(reopened.latest().size).toBe(15);
  });

  it('never signs a tree that does not extend the previous checkpoint', async () => {
    const { store, log, start } = await setup();
    const cp = await start();
    await log.append(0, leaves(0, 10));
    await cp.maybeCheckpoint();
    // A log whose history was rewritten: its consistency proof cannot verify.
    const forked: MerkleLog = Object.create(log, {
      consistencyProof: {
        value: async (first: number, second?: number) => {
          const p = await log.consistencyProof(first, second);
          return { ...p, hashes: p.hashes.map((h) => h.map((b) => b ^ 1)) };
        },
      },
    });
    const cp2 = await start(forked);
    await log.append(10, leaves(10, 25));
    await expect(cp2.maybeCheckpoint()).rejects.toBeInstanceOf(InconsistentCheckpointError);
    expect(cp2.latest().size).toBe(10);
    expect((await store.latestCheckpoint())?.size).toBe(10);
  });

  it('refuses to start when the stored tree does not match the stored checkpoint', async () => {
    const { store, log, start } = await setup();
    const cp = await start();
    await log.append(0, leaves(0, 10));
    await cp.maybeCheckpoint();
    await store.saveCheckpoint({ ...cp.latest(), size: 11, createdAtMs: 0 }); // ahead of the tree
    await expect(start()).rejects.toBeInstanceOf(InconsistentCheckpointError);
    const other = await setup(); // a different tree under the same checkpoint
    await other.log.append(0, leaves(100, 110));
    await other.store.saveCheckpoint(cp.latest());
    await expect(other.start()).rejects.toBeInstanceOf(InconsistentCheckpointError);
  });
});
