import { describe, expect, it } from 'vitest';
import { plannedArrivals, runOpenLoop } from './open-loop';

/** A fake monotonic clock whose sleep advances time by the asked amount plus a fixed lateness. */
const fakeTime = (latenessMs = 0) => {
  let now = 1_000;
  return {
    clock: { now: () => now },
    sleep: async (ms: number) => {
      now += ms + latenessMs;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
};

describe('open-loop schedule', () => {
  it('plans rate × duration arrivals', () => {
    expect(plannedArrivals(100, 10_000)).toBe(1000);
    expect(plannedArrivals(3, 1_000)).toBe(3);
    expect(plannedArrivals(0.5, 1_000)).toBe(0);
  });

  it('fires every arrival at its scheduled time without waiting for any response', async () => {
    const time = fakeTime();
    const fired: [number, number][] = [];
    // The "responses" never come: fire only records. A closed loop would stall after the first.
    const result = await runOpenLoop({
      rate: 50,
      durationMs: 2_000,
      clock: time.clock,
      sleep: time.sleep,
      fire: (i, at) => fired.push([i, at]),
    });
    expect(result.fired).toBe(100);
    expect(fired.map(([i]) => i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(fired.map(([, at]) => at - 1_000)).toEqual(
      Array.from({ length: 100 }, (_, i) => i * 20),
    );
    expect(result.maxBurst).toBe(1);
  });

  it('catches up in a burst when the timer is late, keeping the scheduled times', async () => {
    const time = fakeTime(95);
    const fired: number[] = [];
    const result = await runOpenLoop({
      rate: 100,
      durationMs: 1_000,
      clock: time.clock,
      sleep: time.sleep,
      fire: (_, at) => fired.push(at - 1_000),
    });
    expect(result.fired).toBe(100);
    expect(fired).toEqual(Array.from({ length: 100 }, (_, i) => i * 10));
    expect(result.maxBurst).toBeGreaterThanOrEqual(10);
  });

  it('keeps the schedule when firing itself is slow (a blocked event loop)', async () => {
    const time = fakeTime();
    const fired: number[] = [];
    await runOpenLoop({
      rate: 10,
      durationMs: 1_000,
      clock: time.clock,
      sleep: time.sleep,
      fire: (_, at) => {
        fired.push(at - 1_000);
        time.advance(250);
      },
    });
    expect(fired).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('stops scheduling when aborted', async () => {
    const time = fakeTime();
    const controller = new AbortController();
    const result = await runOpenLoop({
      rate: 10,
      durationMs: 10_000,
      clock: time.clock,
      sleep: time.sleep,
      signal: controller.signal,
      fire: (i) => {
        if (i === 4) controller.abort();
      },
    });
    expect(result.fired).toBe(5);
    expect(result.plannedCount).toBe(100);
  });
});
