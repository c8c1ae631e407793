import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { auditv1 } from '@nethical/contracts';
import type { CallBudget } from '../domain/process-action';

/** Sizing of the audit batcher. */
export interface AuditBatcherOptions {
  /** Most records per AppendBatch call (the audit store takes up to 256). */
  maxRecords: number;
  /** A batch is sent early once its records' content passes this many characters. */
  maxContentChars: number;
  /** Batch sizes, for metrics. */
  onBatch?: (records: number) => void;
}

interface Waiting {
  record: auditv1.AuditRecord;
  budget: CallBudget | undefined;
  resolve: (res: auditv1.AppendResponse) => void;
  reject: (err: unknown) => void;
}

/**
 * The gateway's audit appends, batched per event-loop turn: every append issued in one turn goes
 * out as one `AppendBatch` call when the turn ends (`setImmediate`), so under load one RPC and
 * one group commit carry many actions, and a lone action waits for nothing. Each caller still
 * gets its own answer — stored, duplicate, or its own error — only after its record's COMMIT:
 * acknowledgement semantics are exactly those of `Append`. The call's deadline is the latest of
 * its callers'; a caller whose own deadline passes or whose client leaves stops waiting (its
 * record may still be committed, as with a timed-out `Append`; a retry with the same action id
 * finds it). Against an audit store without `AppendBatch` (UNIMPLEMENTED, a rolling upgrade) it
 * falls back to one `Append` per record.
 */
export function createAuditBatcher(
  audit: Client<typeof auditv1.AuditStoreService>,
  options: AuditBatcherOptions,
) {
  let waiting: Waiting[] = [];
  let chars = 0;
  let scheduled = false;
  let batchUnsupported = false;

  const single = (w: Waiting) =>
    audit.append({ record: w.record }, w.budget).then(w.resolve, w.reject);

  async function send(batch: Waiting[]): Promise<void> {
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
      const res = await audit.appendBatch(
        create(auditv1.AppendBatchRequestSchema, { records: batch.map((w) => w.record) }),
        timeoutMs === undefined ? {} : { timeoutMs },
      );
      if (res.outcomes.length !== batch.length) {
        throw new ConnectError(
          `audit store answered ${res.outcomes.length} outcomes for ${batch.length} records`,
          Code.Internal,
        );
      }
      res.outcomes.forEach((o, i) => {
        const w = batch[i]!;
        if (o.errorCode !== 0 || !o.record)
          w.reject(
            new ConnectError(
              o.errorMessage || 'append failed',
              (o.errorCode || Code.Internal) as Code,
            ),
          );
        else
          w.resolve(
            create(auditv1.AppendResponseSchema, { record: o.record, duplicate: o.duplicate }),
          );
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

  function flush(): void {
    scheduled = false;
    const batch = waiting;
    waiting = [];
    chars = 0;
    for (let i = 0; i < batch.length; i += options.maxRecords)
      void send(batch.slice(i, i + options.maxRecords));
  }

  return function append(
    record: auditv1.AuditRecord,
    budget?: CallBudget,
  ): Promise<auditv1.AppendResponse> {
    const answer = new Promise<auditv1.AppendResponse>((resolve, reject) => {
      waiting.push({ record, budget, resolve, reject });
    });
    chars += record.content.length;
    if (chars >= options.maxContentChars) flush();
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
