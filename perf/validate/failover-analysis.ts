/** One finished request of the failover run, by scheduled start (epoch ms). */
export interface TimedOutcome {
  scheduledMs: number;
  ok: boolean;
}

/** What killing one service did to the load, measured from the client side. */
export interface FailoverAnalysis {
  /** Failed requests scheduled after the kill. */
  errorsAfterKill: number;
  /** Failed requests scheduled before the kill (baseline noise). */
  errorsBeforeKill: number;
  requestsAfterKill: number;
  /** Scheduled start of the first / last failed request after the kill, ms after the kill. */
  firstErrorMs: number | null;
  lastErrorMs: number | null;
  /** Span from the first to the last failed request (0 with one error or none). */
  errorWindowMs: number;
  /**
   * From the kill to the first successful request scheduled after the last failure: how long
   * until clients were served again. 0 when nothing failed; null when it never recovered.
   */
  recoveryMs: number | null;
}

/** Analyse a failover run; `outcomes` may come in any order. */
export function analyzeFailover(
  outcomes: readonly TimedOutcome[],
  killedAtMs: number,
): FailoverAnalysis {
  const sorted = [...outcomes].sort((a, b) => a.scheduledMs - b.scheduledMs);
  const after = sorted.filter((o) => o.scheduledMs >= killedAtMs);
  const failures = after.filter((o) => !o.ok);
  const errorsBeforeKill =
    sorted.length - after.length - sorted.filter((o) => o.scheduledMs < killedAtMs && o.ok).length;
  const first = failures[0];
  const last = failures[failures.length - 1];
  let recoveryMs: number | null = 0;
  if (last) {
    const healed = after.find((o) => o.ok && o.scheduledMs > last.scheduledMs);
    recoveryMs = healed ? healed.scheduledMs - killedAtMs : null;
  }
  return {
    errorsAfterKill: failures.length,
    errorsBeforeKill,
    requestsAfterKill: after.length,
    firstErrorMs: first ? first.scheduledMs - killedAtMs : null,
    lastErrorMs: last ? last.scheduledMs - killedAtMs : null,
    errorWindowMs: first && last ? last.scheduledMs - first.scheduledMs : 0,
    recoveryMs,
  };
}
