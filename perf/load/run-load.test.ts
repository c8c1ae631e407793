import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMix, parseMix } from './action-generator';
import { runLoad, type LoadConfig } from './run-load';
import type { ActionSender, SendOutcome } from './senders/sender';
import { startTrivialGateway, type TrivialGateway } from './testing/trivial-gateway';

const baseConfig: LoadConfig = {
  endpoint: 'http://127.0.0.1:1',
  protocol: 'http',
  agents: 2,
  rps: 10,
  durationSec: 1,
  warmupSec: 0,
  connections: 4,
  mix: defaultMix,
  seed: 1,
  maxInFlight: 1000,
  timeoutMs: 5_000,
  slo: {},
  runId: 'test',
};

const ok: SendOutcome = {
  ok: true,
  status: '200',
  error: '',
  decision: 'ALLOW',
  violationDetected: false,
};

/** A sender whose answers the test releases by hand, on a fake clock. */
function manualSender() {
  const pending: ((o: SendOutcome) => void)[] = [];
  const sender: ActionSender = {
    send: () => new Promise((resolve) => pending.push(resolve)),
    close: async () => {},
  };
  return { sender, pending };
}

const settle = async (until: () => boolean): Promise<void> => {
  for (let i = 0; i < 1000 && !until(); i++) await new Promise((r) => setImmediate(r));
};

describe('runLoad with a fake clock', () => {
  it('measures latency from the scheduled start and counts drops over the in-flight cap', async () => {
    let now = 0;
    const { sender, pending } = manualSender();
    const dir = mkdtempSync(join(tmpdir(), 'nethical-load-'));
    const run = runLoad(
      { ...baseConfig, maxInFlight: 8, output: join(dir, 'run.csv'), slo: { errorRate: 0.1 } },
      {
        sender,
        clock: { now: () => now },
        sleep: async (ms) => void (now += ms),
        wallClock: () => 0,
        progress: null,
      },
    );
    // All arrivals went out although not one answer came back: the loop never waits.
    await settle(() => pending.length === 8 && now >= 900);
    expect(pending).toHaveLength(8);
    now = 2_000;
    for (const resolve of pending) resolve(ok);
    const summary = await run;
    expect(summary).toMatchObject({
      requests: 10,
      sent: 8,
      completed: 8,
      ok: 8,
      dropped: 2,
      errors: 2,
      errorRate: 0.2,
    });
    expect(summary.statusCounts).toEqual({ '200': 8, dropped: 2 });
    // Request i was scheduled at i·100 ms and answered at 2000 ms.
    expect(summary.latency.maxMs).toBeCloseTo(2000, -1);
    expect(summary.latency.p50Ms).toBeGreaterThan(1550);
    expect(summary.latency.p50Ms).toBeLessThan(1750);
    expect(summary.slo.passed).toBe(false);
    const csv = readFileSync(join(dir, 'run.csv'), 'utf8').trimEnd().split('\n');
    expect(csv).toHaveLength(11);
    expect(csv.filter((l) => l.includes(',dropped,'))).toHaveLength(2);
    // Rows are written in completion order; the dropped ones came first.
    expect(csv.find((l) => l.includes(',test-0-0,'))).toMatch(
      /^load-agent-0,test-0-0,1970-01-01T00:00:00\.000Z,2000,200,,false,ALLOW,/,
    );
    const saved = JSON.parse(readFileSync(join(dir, 'run.summary.json'), 'utf8')) as {
      requests: number;
    };
    expect(saved.requests).toBe(10);
  });

  it('does not record the warm-up', async () => {
    let now = 0;
    const sender: ActionSender = { send: async () => ok, close: async () => {} };
    let sent = 0;
    const counting: ActionSender = { ...sender, send: (a, c) => (sent++, sender.send(a, c)) };
    const summary = await runLoad(
      { ...baseConfig, warmupSec: 2 },
      {
        sender: counting,
        clock: { now: () => now },
        sleep: async (ms) => void (now += ms),
        progress: null,
      },
    );
    expect(sent).toBe(30);
    expect(summary.requests).toBe(10);
    expect(summary.latency.count).toBe(10);
  });
});

describe('runLoad against a local server', () => {
  let slow: TrivialGateway;
  let fast: TrivialGateway;
  let refusing: TrivialGateway;
  beforeAll(async () => {
    // One request at a time, 50 ms each: capacity 20/s, offered 40/s, so a queue builds up.
    slow = await startTrivialGateway({ delayMs: 50, concurrency: 1 });
    fast = await startTrivialGateway();
    refusing = await startTrivialGateway({ httpStatus: 429 });
  });
  afterAll(async () => {
    await Promise.all([slow.close(), fast.close(), refusing.close()]);
  });

  it('includes the queueing delay of a slow server in the recorded latency', async () => {
    const summary = await runLoad(
      { ...baseConfig, endpoint: slow.httpUrl, rps: 40, durationSec: 1 },
      { progress: null },
    );
    expect(summary).toMatchObject({ requests: 40, ok: 40, errors: 0 });
    // The 40th request cannot finish before 40 × 50 ms = 2 s after the start, yet it was
    // scheduled at 975 ms: about 1 s of queueing that a closed-loop client would not report.
    expect(summary.latency.maxMs).toBeGreaterThan(900);
    expect(summary.latency.p95Ms).toBeGreaterThan(10 * 50);
  });

  it.each(['connect', 'grpc'] as const)(
    'speaks %s to GovernanceService/ProcessAction',
    async (protocol) => {
      const summary = await runLoad(
        {
          ...baseConfig,
          endpoint: fast.h2Url,
          protocol,
          rps: 40,
          durationSec: 0.5,
          connections: 2,
          mix: parseMix('benign=1,attack=1'),
        },
        { progress: null },
      );
      expect(summary).toMatchObject({ requests: 20, ok: 20, errors: 0 });
      expect(summary.statusCounts).toEqual({ OK: 20 });
      expect(summary.decisions.BLOCK).toBeGreaterThan(0);
      expect(summary.categories.attack.flagged).toBeGreaterThan(0);
    },
  );

  it('reports quota denials by status and fails the error-rate SLO', async () => {
    const summary = await runLoad(
      {
        ...baseConfig,
        endpoint: refusing.httpUrl,
        rps: 20,
        durationSec: 0.5,
        slo: { errorRate: 0.01 },
      },
      { progress: null },
    );
    expect(summary.statusCounts).toEqual({ '429': 10 });
    expect(summary.errorRate).toBe(1);
    expect(summary.slo.passed).toBe(false);
  });

  it('sends the API key as a bearer token', async () => {
    const locked = await startTrivialGateway({ apiKey: 'k-123' });
    try {
      const withKey = await runLoad(
        { ...baseConfig, endpoint: locked.httpUrl, durationSec: 0.2, apiKey: 'k-123' },
        { progress: null },
      );
      const withoutKey = await runLoad(
        { ...baseConfig, endpoint: locked.httpUrl, durationSec: 0.2 },
        { progress: null },
      );
      expect(withKey.statusCounts).toEqual({ '200': 2 });
      expect(withoutKey.statusCounts).toEqual({ '401': 2 });
    } finally {
      await locked.close();
    }
  });

  it('counts a refused connection as a network error', async () => {
    const closed = await startTrivialGateway();
    const url = closed.httpUrl;
    await closed.close();
    const summary = await runLoad(
      { ...baseConfig, endpoint: url, rps: 10, durationSec: 0.3 },
      { progress: null },
    );
    expect(summary.statusCounts).toEqual({ network: 3 });
    expect(summary.completed).toBe(3);
  });
});
