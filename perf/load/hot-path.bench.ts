/**
 * CPU per request of the generator's own hot path (no network): action generation, request
 * encoding, histogram recording and CSV formatting. Together they bound how many requests per
 * second one generator process can prepare; the network clients cost more (see self-bench.ts).
 */
import { bench, describe } from 'vitest';
import { createActionGenerator } from './action-generator';
import { formatCsvRow } from './csv-writer';
import { createLatencyHistogram } from './latency-histogram';
import { processActionBody } from './senders/http-sender';
import { processActionRequest } from './senders/rpc-sender';

const generator = createActionGenerator({ seed: 1, runId: 'bench' });
const histogram = createLatencyHistogram();
let i = 0;
const action = generator.next(0);

describe('load generator hot path', () => {
  bench('generate one action (10,000 agents round-robin)', () => {
    generator.next(i++ % 10_000);
  });
  bench('encode JSON body (http)', () => {
    processActionBody(action, { load_run: 'bench' });
  });
  bench('build ProcessActionRequest (grpc/connect)', () => {
    processActionRequest(action, { load_run: 'bench' });
  });
  bench('record latency in the HDR histogram', () => {
    histogram.record((i++ % 5000) / 10);
  });
  bench('format one CSV row', () => {
    formatCsvRow({
      agent_id: action.agentId,
      action_id: action.actionId,
      timestamp: '2026-11-27T07:00:00.000Z',
      latency_ms: 12.345,
      status: '200',
      error: '',
      violation_detected: false,
      decision: 'ALLOW',
      category: action.category,
    });
  });
});
