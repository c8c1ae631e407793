import { describe, expect, it } from 'vitest';
import { analyzeFailover, type TimedOutcome } from './failover-analysis';

/** One request every 100 ms from t=0; `failing` says which scheduled times fail. */
const run = (count: number, failing: (t: number) => boolean): TimedOutcome[] =>
  Array.from({ length: count }, (_, i) => ({ scheduledMs: i * 100, ok: !failing(i * 100) }));

describe('failover analysis', () => {
  it('measures the error window and the recovery from the kill', () => {
    // Killed at 1000 ms; requests scheduled 1200..2400 fail; 2500 succeeds. Order is shuffled.
    const outcomes = run(40, (t) => t >= 1200 && t <= 2400).reverse();
    expect(analyzeFailover(outcomes, 1000)).toEqual({
      errorsAfterKill: 13,
      errorsBeforeKill: 0,
      requestsAfterKill: 30,
      firstErrorMs: 200,
      lastErrorMs: 1400,
      errorWindowMs: 1200,
      recoveryMs: 1500,
    });
  });

  it('reports zero when the kill went unnoticed and null when service never came back', () => {
    expect(
      analyzeFailover(
        run(20, () => false),
        500,
      ),
    ).toMatchObject({ errorsAfterKill: 0, errorWindowMs: 0, recoveryMs: 0 });
    expect(
      analyzeFailover(
        run(20, (t) => t >= 600),
        500,
      ),
    ).toMatchObject({ errorsAfterKill: 14, recoveryMs: null });
  });

  it('keeps errors before the kill apart', () => {
    expect(
      analyzeFailover(
        run(20, (t) => t === 100),
        1000,
      ),
    ).toMatchObject({ errorsBeforeKill: 1, errorsAfterKill: 0 });
  });
});
