import { analyzeFailover, type TimedOutcome } from './failover-analysis';
import type { TestResult } from './report';
import { commandFor, loadConfigFor, measuredLoad, type RunContext } from './scenarios';
import { serviceUrl } from './validate-options';

/** Milliseconds after the kill at which the service had a new pid and answered /readyz. */
interface RestartTimes {
  newPidMs: number | null;
  readyMs: number | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function watchRestart(
  ctx: RunContext,
  service: string,
  oldPid: number,
  killedAt: number,
  untilMs: number,
): Promise<RestartTimes> {
  const times: RestartTimes = { newPidMs: null, readyMs: null };
  const readyz = `${serviceUrl(ctx.gatewayUrl, service)}/readyz`;
  while (Date.now() < untilMs && times.readyMs === null) {
    const pid = ctx.readPids()[service];
    if (times.newPidMs === null && pid && pid !== oldPid) times.newPidMs = Date.now() - killedAt;
    if (times.newPidMs !== null) {
      const ok = await fetch(readyz, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) times.readyMs = Date.now() - killedAt;
    }
    await sleep(100);
  }
  return times;
}

/**
 * Test 5: kill -9 one service under steady load and measure, from the client side, how long
 * requests failed and when they were served again; from the mesh side, when the supervisor
 * had a new process and when it was ready.
 */
export async function failoverTest(ctx: RunContext): Promise<TestResult> {
  const t = ctx.options.failover;
  // A short timeout, so a request stuck on the dead process shows up as an error quickly.
  const config = loadConfigFor(ctx, {
    name: 'test-5-failover',
    rps: t.rps,
    durationSec: t.durationSec,
    agents: t.agents,
    slo: {},
    timeoutMs: 5_000,
  });
  const outcomes: TimedOutcome[] = [];
  let killedAt: number | undefined;
  let restart: Promise<RestartTimes> | undefined;
  let killProblem = '';
  const killer = setTimeout(
    () => {
      const pid = ctx.readPids()[t.service];
      if (!pid) {
        killProblem = `no pid known for ${t.service}`;
        return;
      }
      try {
        process.kill(pid, 'SIGKILL');
      } catch (error) {
        killProblem = `kill ${pid}: ${(error as Error).message}`;
        return;
      }
      killedAt = Date.now();
      ctx.log(`[validate] kill -9 ${t.service} (pid ${pid})`);
      restart = watchRestart(ctx, t.service, pid, killedAt, killedAt + 120_000);
    },
    (ctx.options.warmupSec + t.killAtSec) * 1000,
  );
  const { summary, usage } = await measuredLoad(ctx, config, (r) =>
    outcomes.push({ scheduledMs: r.scheduledWallMs, ok: r.outcome.ok }),
  );
  clearTimeout(killer);
  const times = restart ? await restart : { newPidMs: null, readyMs: null };
  const analysis = killedAt !== undefined ? analyzeFailover(outcomes, killedAt) : undefined;
  const s = (ms: number | null | undefined): string =>
    ms === null || ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;
  const passed =
    analysis !== undefined &&
    analysis.recoveryMs !== null &&
    analysis.recoveryMs <= t.maxRecoverySec * 1000;
  const achieved = analysis
    ? `${analysis.errorsAfterKill} failed requests over ${s(analysis.errorWindowMs)}, clients served again after ${s(analysis.recoveryMs)}; new process after ${s(times.newPidMs)}, ready after ${s(times.readyMs)}`
    : `not measured: ${killProblem || 'the kill did not happen'}`;
  return {
    row: {
      id: '5',
      test: `Failover (kill -9 ${t.service})`,
      target: `${t.rps} RPS, kill at ${t.killAtSec} s of ${t.durationSec} s`,
      expected: `clients served again within ${t.maxRecoverySec} s`,
      achieved,
      passed,
    },
    command: `${commandFor(config)}  # plus kill -9 <${t.service} pid> at ${t.killAtSec} s`,
    load: summary,
    usage,
    details: analysis
      ? [
          `Errors before the kill: ${analysis.errorsBeforeKill}; after: ${analysis.errorsAfterKill} of ${analysis.requestsAfterKill} requests.`,
          `First/last failed request scheduled ${s(analysis.firstErrorMs)} / ${s(analysis.lastErrorMs)} after the kill.`,
          `Supervisor: new ${t.service} process ${s(times.newPidMs)} after the kill, /readyz OK ${s(times.readyMs)} after the kill.`,
        ]
      : [killProblem],
    ...(analysis ? { failover: analysis } : {}),
  };
}
