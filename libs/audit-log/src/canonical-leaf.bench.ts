import { hashLeaf } from '@nethical/merkle';
import { bench, describe } from 'vitest';
import { canonicalLeaf } from './canonical-leaf';
import { rowToRecord, recordToInsertJson, type RecordRow } from './record-row';
import { sampleRecord } from './test-support';
import { microsToTimestamp, msToMicros } from './timestamps';

// The per-record CPU cost of the append path and of a full audit: canonical leaf + SHA-256,
// and rebuilding a record from a row. Figures are noisy on a shared machine.
const record = sampleRecord(1, {
  sequence: 12345n,
  committedAt: microsToTimestamp(msToMicros(Date.UTC(2026, 10, 27))),
});
const row = JSON.parse(JSON.stringify(recordToInsertJson(record))) as Record<string, unknown>;
const asRow = {
  ...row,
  sequence: 12345n,
  received_us: 1_790_000_001_123_456n,
  committed_us: msToMicros(Date.UTC(2026, 10, 27)),
} as unknown as RecordRow;

describe('canonical leaf', () => {
  bench('canonicalLeaf + hashLeaf', () => {
    hashLeaf(canonicalLeaf(record));
  });
  bench('rowToRecord (includes the leaf)', () => {
    rowToRecord(asRow);
  });
});
