/**
 * Inclusion and consistency proofs (RFC 9162 §2.1.3.1 PATH and §2.1.4.1 SUBPROOF) computed
 * from complete-subtree hashes, so they work for any past tree size while the log keeps growing.
 * Each proof element is the hash of a leaf range; a range on the right edge of an older tree is
 * not a complete subtree and is rebuilt from its O(log n) complete parts. All ids of one proof
 * are fetched with a single `readNodes` call.
 */
import { TreeRangeError } from './errors';
import { peakIds, rootFromPeaks } from './compact-range';
import { EMPTY_ROOT } from './hasher';
import type { NodeReader } from './node-reader';
import { assertSize, nodeKey, rangeNodes, splitPoint, type NodeId } from './tree-math';

type Range = readonly [start: number, end: number];

/** Leaf ranges whose hashes form the inclusion proof of leaf `index`, leaf to root. */
export function inclusionRanges(index: number, size: number): Range[] {
  const out: Range[] = [];
  let start = 0;
  let end = size;
  // Walk down from the root, collecting the sibling at each level; reverse for leaf-to-root.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      start += k;
    }
  }
  return out.reverse();
}

/** Leaf ranges whose hashes form the consistency proof from `first` to `second` leaves. */
export function consistencyRanges(first: number, second: number): Range[] {
  const out: Range[] = [];
  let start = 0;
  let end = second;
  let complete = true; // RFC 9162 SUBPROOF's b: the old tree is a whole subtree so far.
  while (first - start !== end - start) {
    const k = splitPoint(end - start);
    if (first - start <= k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      start += k;
      complete = false;
    }
  }
  if (!complete) out.push([start, end]);
  return out.reverse();
}

async function hashRanges(reader: NodeReader, ranges: readonly Range[]): Promise<Uint8Array[]> {
  const parts = ranges.map(([s, e]) => rangeNodes(s, e));
  const unique = new Map<string, NodeId>();
  for (const ids of parts) for (const id of ids) unique.set(nodeKey(id), id);
  const ids = [...unique.values()];
  const hashes = await reader.readNodes(ids);
  const byKey = new Map<string, Uint8Array>();
  ids.forEach((id, i) => byKey.set(nodeKey(id), hashes[i]!));
  return parts.map((p) => rootFromPeaks(p.map((id) => byKey.get(nodeKey(id))!)));
}

/**
 * Inclusion proof (audit path) for leaf `index` in the tree of `size` leaves, leaf to root.
 * @throws TreeRangeError unless 0 ≤ index < size.
 */
export async function inclusionProof(
  reader: NodeReader,
  index: number,
  size: number,
): Promise<Uint8Array[]> {
  assertSize('index', index);
  assertSize('size', size);
  if (index >= size) throw new TreeRangeError(`index ${index} is not below tree size ${size}`);
  return hashRanges(reader, inclusionRanges(index, size));
}

/**
 * Consistency proof between the trees of `first` and `second` leaves. Equal sizes give an
 * empty proof.
 * @throws TreeRangeError unless 0 < first ≤ second (RFC 9162 defines no proof from size 0).
 */
export async function consistencyProof(
  reader: NodeReader,
  first: number,
  second: number,
): Promise<Uint8Array[]> {
  assertSize('first', first);
  assertSize('second', second);
  if (first === 0) throw new TreeRangeError('no consistency proof exists from the empty tree');
  if (first > second) throw new TreeRangeError(`first ${first} is above second ${second}`);
  if (first === second) return [];
  return hashRanges(reader, consistencyRanges(first, second));
}

/** Root hash of the tree of `size` leaves, from its O(log n) peak hashes. */
export async function rootAtSize(reader: NodeReader, size: number): Promise<Uint8Array> {
  assertSize('size', size);
  if (size === 0) return EMPTY_ROOT;
  return rootFromPeaks(await reader.readNodes(peakIds(size)));
}
