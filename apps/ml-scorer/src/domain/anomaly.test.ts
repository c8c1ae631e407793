import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ANOMALY_OPTIONS,
  isAgentBaseline,
  observeAction,
  type AgentBaseline,
  type AnomalyVerdict,
} from './anomaly';

/** Deterministic jitter in [-1, 1] (no Math.random in tests). */
const jitter = (i: number): number => Math.sin(i * 12.9898) * 0.999;

/** Feeds a steady agent: one action every ~10 s, score ~0.1, size ~200 chars. */
function steady(
  count: number,
  startMs = 0,
): { state: AgentBaseline | undefined; verdicts: AnomalyVerdict[]; t: number } {
  let state: AgentBaseline | undefined;
  const verdicts: AnomalyVerdict[] = [];
  let t = startMs;
  for (let i = 0; i < count; i++) {
    t += 10_000 + 3_000 * jitter(i);
    const r = observeAction(state, {
      score: 0.1 + 0.05 * jitter(i + 1),
      size: 200 + 40 * jitter(i + 2),
      atMs: t,
    });
    state = r.next;
    verdicts.push(r.verdict);
  }
  return { state, verdicts, t };
}

describe('anomaly detector', () => {
  it('never flags during cold start, even for wild input', () => {
    let state: AgentBaseline | undefined;
    for (let i = 0; i < DEFAULT_ANOMALY_OPTIONS.warmup; i++) {
      const r = observeAction(state, { score: i % 2, size: i % 2 ? 10 : 10_000, atMs: i });
      expect(r.verdict).toMatchObject({ anomaly: false, anomalyScore: 0 });
      state = r.next;
    }
  });

  it('does not flag a steady agent', () => {
    const { verdicts } = steady(500);
    expect(verdicts.filter((v) => v.anomaly)).toHaveLength(0);
    expect(Math.max(...verdicts.map((v) => v.anomalyScore))).toBeLessThan(0.5);
  });

  it('flags a sudden burst of actions', () => {
    let { state, t } = steady(100);
    const burst: AnomalyVerdict[] = [];
    for (let i = 0; i < 20; i++) {
      t += 20; // 50 actions per second instead of one per 10 s
      const r = observeAction(state, { score: 0.1, size: 200, atMs: t });
      state = r.next;
      burst.push(r.verdict);
    }
    expect(burst[0]!.anomaly).toBe(false); // one quick action is not a burst
    expect(burst.slice(5).every((v) => v.anomaly)).toBe(true);
    expect(burst.at(-1)!.z.rate).toBeGreaterThan(DEFAULT_ANOMALY_OPTIONS.threshold);
  });

  it('flags a jump in risk score and a huge payload', () => {
    const { state, t } = steady(100);
    const risky = observeAction(state, { score: 0.95, size: 200, atMs: t + 10_000 });
    expect(risky.verdict.anomaly).toBe(true);
    expect(risky.verdict.z.score).toBeGreaterThan(4);
    const big = observeAction(state, { score: 0.1, size: 200_000, atMs: t + 10_000 });
    expect(big.verdict.anomaly).toBe(true);
    expect(big.verdict.anomalyScore).toBeGreaterThan(0.5);
    expect(big.verdict.anomalyScore).toBeLessThanOrEqual(1);
  });

  it('adapts: a sustained new pace stops being anomalous', () => {
    let { state, t } = steady(100);
    let last: AnomalyVerdict | undefined;
    for (let i = 0; i < 400; i++) {
      t += 1_000 + 300 * jitter(i);
      const r = observeAction(state, { score: 0.1, size: 200, atMs: t });
      state = r.next;
      last = r.verdict;
    }
    expect(last!.anomaly).toBe(false);
  });

  it('survives a clock that goes backwards or repeats', () => {
    const { state, t } = steady(50);
    const r = observeAction(state, { score: 0.1, size: 200, atMs: t - 60_000 });
    expect(Number.isFinite(r.verdict.anomalyScore)).toBe(true);
    expect(r.next.lastSeenMs).toBe(t);
  });

  it('validates stored baselines', () => {
    expect(isAgentBaseline(steady(3).state)).toBe(true);
    expect(isAgentBaseline(JSON.parse(JSON.stringify(steady(3).state)))).toBe(true);
    expect(isAgentBaseline({ count: 1 })).toBe(false);
    expect(isAgentBaseline(null)).toBe(false);
    expect(isAgentBaseline({ ...steady(3).state, score: { mean: 0, variance: -1 } })).toBe(false);
  });
});
