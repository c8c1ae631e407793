import { writeFile } from 'node:fs/promises';
import {
  actionCategories,
  createActionGenerator,
  formatMix,
  type ActionCategory,
  type ActionMix,
  type LoadAction,
} from './action-generator';
import { openCsvWriter, type CsvWriter } from './csv-writer';
import { createLatencyHistogram } from './latency-histogram';
import { summaryPathFor, type CategoryCounts, type LoadSummary } from './load-summary';
import { runOpenLoop, type MonotonicClock } from './open-loop';
import { createSender } from './senders/create-sender';
import type { ActionSender, Protocol, SendOutcome } from './senders/sender';
import { evaluateSlo, type SloThresholds } from './slo';

/** Parameters of one run (the CLI flags, parsed). */
export interface LoadConfig {
  endpoint: string;
  protocol: Protocol;
  agents: number;
  /** Tenants the agents are spread over (0: none sent, the gateway's default tenant). */
  tenants?: number | undefined;
  rps: number;
  durationSec: number;
  warmupSec: number;
  connections: number;
  mix: ActionMix;
  seed: number;
  maxInFlight: number;
  timeoutMs: number;
  /** CSV path; the summary goes next to it. No files are written when absent. */
  output?: string | undefined;
  slo: SloThresholds;
  /** Gateway API key (`Authorization: Bearer`); never written to the summary. */
  apiKey?: string | undefined;
  /** Prefix of action ids; defaults to one derived from the seed and the start time. */
  runId?: string | undefined;
}

/** One finished request, handed to `onResult` (the failover test watches these). */
export interface RequestResult {
  agentId: string;
  actionId: string;
  category: ActionCategory;
  /** Wall-clock ms (epoch) of the scheduled start. */
  scheduledWallMs: number;
  latencyMs: number;
  outcome: SendOutcome;
}

/** Injection points: tests pass a fake sender or clock; the harness watches results. */
export interface LoadDeps {
  sender?: ActionSender;
  clock?: MonotonicClock;
  sleep?: (ms: number) => Promise<void>;
  /** Epoch ms, for CSV timestamps. */
  wallClock?: () => number;
  /** Receives the live progress line once a second; `null` silences it. Default: stderr. */
  progress?: ((line: string) => void) | null;
  onResult?: (result: RequestResult) => void;
  signal?: AbortSignal;
}

const droppedOutcome: SendOutcome = {
  ok: false,
  status: 'dropped',
  error: 'max in-flight reached',
  decision: '',
  violationDetected: false,
};

/**
 * Run the warm-up then the measured phase on an open-loop schedule and return the summary (also
 * written to `<output>.summary.json`). Warm-up requests are real but not recorded.
 */
export async function runLoad(config: LoadConfig, deps: LoadDeps = {}): Promise<LoadSummary> {
  const clock = deps.clock ?? { now: () => performance.now() };
  const wallClock = deps.wallClock ?? Date.now;
  const progress =
    deps.progress === undefined
      ? (line: string) => process.stderr.write(`${line}\n`)
      : deps.progress;
  const runId = config.runId ?? `load-${config.seed.toString(36)}-${wallClock().toString(36)}`;
  const generator = createActionGenerator({
    seed: config.seed,
    mix: config.mix,
    runId,
    tenants: config.tenants,
  });
  const sender = deps.sender ?? createSender(config);
  const csv: CsvWriter | undefined = config.output ? openCsvWriter(config.output) : undefined;
  const context = { load_run: runId };

  const total = createLatencyHistogram();
  const window = createLatencyHistogram();
  const lag = createLatencyHistogram();
  const statusCounts: Record<string, number> = {};
  const decisions: Record<string, number> = {};
  const categories = Object.fromEntries(
    actionCategories.map((c) => [c, { sent: 0, ok: 0, flagged: 0 }]),
  ) as Record<ActionCategory, CategoryCounts>;
  let nextAgent = 0;
  let inFlight = 0;
  let settled: (() => void) | undefined;
  const counts = { requests: 0, dropped: 0, completed: 0, ok: 0, errors: 0 };
  let lastAnswerAt = 0;
  const startedAtWall = wallClock();
  let measuring = false;
  const monoAtStart = clock.now();
  let phaseStart = monoAtStart;
  const wallOf = (mono: number): number => startedAtWall + (mono - monoAtStart);

  const record = (
    action: LoadAction,
    scheduledAt: number,
    outcome: SendOutcome,
    latencyMs: number,
  ): void => {
    statusCounts[outcome.status] = (statusCounts[outcome.status] ?? 0) + 1;
    const cat = categories[action.category];
    if (outcome.status !== 'dropped') {
      counts.completed++;
      total.record(latencyMs);
      window.record(latencyMs);
      cat.sent++;
    }
    if (outcome.ok) {
      counts.ok++;
      cat.ok++;
      if (outcome.violationDetected) cat.flagged++;
      decisions[outcome.decision || 'UNKNOWN'] =
        (decisions[outcome.decision || 'UNKNOWN'] ?? 0) + 1;
    } else counts.errors++;
    const scheduledWallMs = wallOf(scheduledAt);
    csv?.write({
      agent_id: action.agentId,
      action_id: action.actionId,
      timestamp: new Date(scheduledWallMs).toISOString(),
      latency_ms: Math.round(latencyMs * 1000) / 1000,
      status: outcome.status,
      error: outcome.error,
      violation_detected: outcome.violationDetected,
      decision: outcome.decision,
      category: action.category,
    });
    deps.onResult?.({
      agentId: action.agentId,
      actionId: action.actionId,
      category: action.category,
      scheduledWallMs,
      latencyMs,
      outcome,
    });
  };

  const fire = (_index: number, scheduledAt: number): void => {
    const action = generator.next(nextAgent);
    nextAgent = (nextAgent + 1) % config.agents;
    const recorded = measuring;
    if (recorded) {
      counts.requests++;
      lag.record(Math.max(0, clock.now() - scheduledAt));
    }
    if (inFlight >= config.maxInFlight) {
      // Over the cap the request is not sent, but it is counted and reported as an error.
      if (recorded) {
        counts.dropped++;
        record(action, scheduledAt, droppedOutcome, 0);
      }
      return;
    }
    inFlight++;
    const sent = sender.send(action, context).catch((error: unknown): SendOutcome => ({
      ok: false,
      status: 'error',
      error: String(error).slice(0, 120),
      decision: '',
      violationDetected: false,
    }));
    void sent.then((outcome) => {
      inFlight--;
      const now = clock.now();
      if (recorded) {
        lastAnswerAt = now;
        record(action, scheduledAt, outcome, now - scheduledAt);
      }
      if (inFlight === 0) settled?.();
    });
  };

  const ticker = progress
    ? setInterval(() => {
        const p99 = window.summary().p99Ms;
        window.reset();
        const elapsed = ((clock.now() - phaseStart) / 1000).toFixed(0);
        progress(
          `[load] ${measuring ? '' : 'warmup '}${elapsed}s sent=${counts.requests - counts.dropped} ok=${counts.ok} errors=${counts.errors} in-flight=${inFlight} p99(1s)=${p99}ms`,
        );
      }, 1000)
    : undefined;
  ticker?.unref();

  try {
    if (config.warmupSec > 0) {
      await runOpenLoop({
        rate: config.rps,
        durationMs: config.warmupSec * 1000,
        fire,
        clock,
        sleep: deps.sleep,
        signal: deps.signal,
      });
    }
    measuring = true;
    phaseStart = clock.now();
    const loop = await runOpenLoop({
      rate: config.rps,
      durationMs: config.durationSec * 1000,
      fire,
      clock,
      sleep: deps.sleep,
      signal: deps.signal,
    });
    if (inFlight > 0) await new Promise<void>((resolve) => (settled = resolve));
    const end = Math.max(lastAnswerAt, loop.endedAt);
    const wallSec = Math.max(1e-9, (end - loop.startedAt) / 1000);
    const scheduleSec = Math.max(1e-9, loop.plannedCount / config.rps);
    const latency = total.summary();
    const errorRate = counts.requests === 0 ? 0 : counts.errors / counts.requests;
    const summary: LoadSummary = {
      runId,
      startedAt: new Date(startedAtWall).toISOString(),
      endpoint: config.endpoint,
      protocol: config.protocol,
      seed: config.seed,
      agents: config.agents,
      mix: formatMix(config.mix),
      target: {
        rps: config.rps,
        durationSec: config.durationSec,
        warmupSec: config.warmupSec,
        connections: config.connections,
        maxInFlight: config.maxInFlight,
        timeoutMs: config.timeoutMs,
      },
      requests: counts.requests,
      sent: counts.requests - counts.dropped,
      completed: counts.completed,
      ok: counts.ok,
      errors: counts.errors,
      dropped: counts.dropped,
      errorRate,
      offeredRps: counts.requests / scheduleSec,
      achievedRps: counts.ok / wallSec,
      wallSec,
      statusCounts,
      decisions,
      categories,
      latency,
      dispatchLag: lag.summary(),
      maxBurst: loop.maxBurst,
      slo: evaluateSlo(
        { p99Ms: latency.p99Ms, errorRate, completed: counts.completed },
        config.slo,
      ),
      csv: config.output,
    };
    await csv?.close();
    if (config.output)
      await writeFile(summaryPathFor(config.output), JSON.stringify(summary, null, 2) + '\n');
    return summary;
  } finally {
    if (ticker) clearInterval(ticker);
    await sender.close();
  }
}
