import { Code, ConnectError } from '@connectrpc/connect';
import type { CallBudget } from '../domain/process-action';

/** One item's result in a batch answer. */
export type BatchOutcome<Res> = { ok: Res } | { error: unknown };

/** How one kind of call is batched. */
export interface TurnBatcherOptions<Req, Res> {
  /** Most items per batch call. */
  maxItems: number;
  /** An item's weight (e.g. bytes of content); a batch never passes `maxBytes` of it. */
  weight?: (req: Req) => number;
  /** Most weight per batch; an item heavier than this alone is sent alone. */
  maxBytes?: number;
  /** The single call, used for a batch of one and against a server without the batch call. */
  one: (req: Req, budget?: CallBudget) => Promise<Res>;
  /** The batch call: one outcome per item, in order. */
  many: (reqs: Req[], timeoutMs: number | undefined) => Promise<BatchOutcome<Res>[]>;
  /** Batch sizes, for metrics. */
  onBatch?: (items: number) => void;
  /**
   * Most batch calls in flight at once (unset: no bound). With a bound, what arrives while that
   * many are out waits for one to come back and then goes as one batch (group commit), so batch
   * sizes follow the hop's round trip rather than one event-loop turn. A full batch (maxItems or
   * maxBytes) is sent at once regardless.
   */
  maxInFlight?: number;
}

interface Waiting<Req, Res> {
  req: Req;
  budget: CallBudget | undefined;
  resolve: (res: Res) => void;
  reject: (err: unknown) => void;
}

/**
 * Calls batched per event-loop turn: every call issued in one turn goes out as one batch call
 * when the turn ends (`setImmediate`), so under load one RPC carries many actions, and a lone
 * action waits for nothing. Each caller still gets its own answer or its own error. The batch
 * call's deadline is the latest of its callers'; a caller whose own deadline passes or whose
 * client leaves stops waiting. Against a server without the batch call (UNIMPLEMENTED, a rolling
 * upgrade) it falls back to one call per item for good.
 */
export function createTurnBatcher<Req, Res>(options: TurnBatcherOptions<Req, Res>) {
  let waiting: Waiting<Req, Res>[] = [];
  let weight = 0;
  let scheduled = false;
  let batchUnsupported = false;
  let inFlight = 0;
  const limit = options.maxInFlight ?? Number.POSITIVE_INFINITY;

  const single = (w: Waiting<Req, Res>) => options.one(w.req, w.budget).then(w.resolve, w.reject);

  async function send(batch: Waiting<Req, Res>[]): Promise<void> {
    options.onBatch?.(batch.length);
    if (batchUnsupported || batch.length === 1) {
      await Promise.all(batch.map(single));
      return;
    }
    const timeouts = batch.map((w) => w.budget?.timeoutMs);
    const timeoutMs = timeouts.some((t) => t === undefined)
      ? undefined
      : Math.max(...(timeouts as number[]));
    try {
      const outcomes = await options.many(
        batch.map((w) => w.req),
        timeoutMs,
      );
      if (outcomes.length !== batch.length) {
        throw new ConnectError(
          `batch answered ${outcomes.length} outcomes for ${batch.length} items`,
          Code.Internal,
        );
      }
      outcomes.forEach((o, i) => {
        const w = batch[i]!;
        if ('ok' in o) w.resolve(o.ok);
        else w.reject(o.error);
      });
    } catch (err) {
      if (err instanceof ConnectError && err.code === Code.Unimplemented) {
        batchUnsupported = true;
        await Promise.all(batch.map(single));
        return;
      }
      for (const w of batch) w.reject(err);
    }
  }

  /** Send what waits now (a full batch), or when the turn ends and a batch call is free. */
  function flush(force = false): void {
    scheduled = false;
    if (waiting.length === 0 || (!force && inFlight >= limit)) return;
    const batch = waiting;
    waiting = [];
    weight = 0;
    inFlight += 1;
    void send(batch).finally(() => {
      inFlight -= 1;
      // What arrived meanwhile goes now, as one batch.
      if (waiting.length > 0 && !scheduled) flush();
    });
  }

  return function call(req: Req, budget?: CallBudget): Promise<Res> {
    const w = options.weight?.(req) ?? 0;
    // Send what is waiting first if this item would take the batch past its size limit.
    if (options.maxBytes !== undefined && waiting.length > 0 && weight + w > options.maxBytes)
      flush(true);
    const answer = new Promise<Res>((resolve, reject) => {
      waiting.push({ req, budget, resolve, reject });
    });
    weight += w;
    if (
      waiting.length >= options.maxItems ||
      (options.maxBytes !== undefined && weight >= options.maxBytes)
    )
      flush(true);
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
    return budget ? withBudget(answer, budget) : answer;
  };
}

/** Stop waiting when the caller's own deadline passes or its client goes away. */
function withBudget<T>(answer: Promise<T>, budget: CallBudget): Promise<T> {
  const { signal, timeoutMs } = budget;
  if (!signal && timeoutMs === undefined) return answer;
  return new Promise<T>((resolve, reject) => {
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => reject(new ConnectError('the request deadline passed', Code.DeadlineExceeded)),
            Math.max(0, timeoutMs),
          );
    const onAbort = () => reject(new ConnectError('the client went away', Code.Canceled));
    signal?.addEventListener('abort', onAbort, { once: true });
    answer.then(resolve, reject).finally(() => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}
