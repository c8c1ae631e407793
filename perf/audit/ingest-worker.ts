import { parentPort, workerData } from 'node:worker_threads';
import { buildBatch } from './ingest-batch';
import { createSyntheticRecords, type SyntheticOptions } from './synthetic-records';

/**
 * Worker thread of the bulk loader: builds the batches it is asked for (synthetic records,
 * leaf hashes, compressed bodies, CSV) so that the main thread only streams COPY and folds the
 * tree. Messages in: `{ first, n }`; out: a BuiltBatch (leaf hashes transferred, not copied).
 */
const next = createSyntheticRecords(workerData as SyntheticOptions);
parentPort!.on('message', (m: { first: number; n: number }) => {
  const batch = buildBatch(next, m.first, m.n);
  parentPort!.postMessage(batch, [batch.leaves.buffer as ArrayBuffer]);
});
