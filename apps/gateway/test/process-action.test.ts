import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { ActionType, Decision, auditv1, judgev1, quotav1, type Action } from '@nethical/contracts';
import { AlreadyExistsError, QuotaExceededError } from '@nethical/platform';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ActionRequest } from '../src/domain/action-request';
import {
  createActionProcessor,
  requestDigest,
  type GatewayPorts,
} from '../src/domain/process-action';

/** An in-memory audit log and scripted judge/quota answers: the processor's ports, not servers. */
function harness(
  opts: {
    allowed?: boolean;
    judge?: (a: Action) => judgev1.JudgeResponse;
    /** Quota remembers allowed action ids (its replay marker); false: it has forgotten them. */
    quotaRemembers?: boolean;
    quotaStore?: string;
    /** The audit read misses (a concurrent retry racing the first append): only append dedupes. */
    auditReadMisses?: boolean;
    /** The audit store answers a new record with a receipt (as for `receipt_only`), not the record. */
    receipts?: boolean;
  } = {},
) {
  const records = new Map<string, auditv1.AuditRecord>();
  const calls = { judge: 0, quota: 0, append: 0, getAudit: 0 };
  const charged = new Set<string>();
  let allowed = opts.allowed ?? true;
  const ports: GatewayPorts = {
    checkQuota: async (req) => {
      calls.quota += 1;
      const replay =
        (opts.quotaRemembers ?? true) && req.actionId !== '' && charged.has(req.actionId);
      if (allowed && req.actionId) charged.add(req.actionId);
      return create(quotav1.CheckResponseSchema, {
        allowed: allowed || replay,
        replay,
        remaining: 3n,
        limit: 5n,
        limitName: 'agent',
        retryAfterSeconds: 1.5,
        windowSeconds: 2,
        store: opts.quotaStore ?? 'redis',
      });
    },
    judge: async (a) => {
      calls.judge += 1;
      return (
        opts.judge?.(a) ??
        create(judgev1.JudgeResponseSchema, {
          decision: Decision.ALLOW_WITH_MODIFICATION,
          redactedContent: 'mail [EMAIL_1]',
          modifiedContent: 'mail [EMAIL_1]',
          riskScore: 0.2,
          policyRevision: 'p@1',
        })
      );
    },
    appendAudit: async (record) => {
      calls.append += 1;
      const existing = records.get(record.actionId);
      if (existing)
        return create(auditv1.AppendResponseSchema, { record: existing, duplicate: true });
      const stored = create(auditv1.AuditRecordSchema, {
        ...record,
        sequence: BigInt(records.size),
        committedAt: timestampNow(),
        leaf: new TextEncoder().encode(record.actionId),
      });
      records.set(record.actionId, stored);
      if (opts.receipts) {
        // As the audit store sends it (a plain Uint8Array, like the echoed record's hash).
        const leafHash = new Uint8Array(
          createHash('sha256')
            .update(Buffer.from([0]))
            .update(stored.leaf)
            .digest(),
        );
        return create(auditv1.AppendResponseSchema, {
          receipt: { sequence: stored.sequence, committedAt: stored.committedAt, leafHash },
        });
      }
      return create(auditv1.AppendResponseSchema, { record: stored, duplicate: false });
    },
    getAudit: async (id) => {
      calls.getAudit += 1;
      return opts.auditReadMisses ? undefined : records.get(id);
    },
  };
  let n = 0;
  const process = createActionProcessor({
    ports,
    now: () => new Date(0),
    newActionId: () => `gen-${++n}`,
    requestDigestKey: KEY,
  });
  const setAllowed = (v: boolean) => {
    allowed = v;
  };
  return { process, records, calls, setAllowed };
}

const KEY = 'k'.repeat(32);

const request = (over: Partial<ActionRequest> = {}): ActionRequest => ({
  agentId: 'a1',
  action: 'mail jane@example.com',
  actionType: ActionType.MESSAGE,
  actionId: '',
  context: undefined,
  cohort: '',
  regionId: 'r',
  tenantId: 't',
  ...over,
});

describe('action processor', () => {
  it('does no work once the client deadline has passed or the client went away', async () => {
    const h = harness();
    const late = await h.process(request(), { deadline: -1 }).catch((e: unknown) => e);
    expect((late as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect((late as ConnectError).rawMessage).toMatch(/^quota: not started/);
    const gone = new AbortController();
    gone.abort();
    const cancelled = await h.process(request(), { signal: gone.signal }).catch((e: unknown) => e);
    expect((cancelled as ConnectError).code).toBe(Code.Canceled);
    expect(h.calls).toEqual({ judge: 0, quota: 0, append: 0, getAudit: 0 });
  });

  it('hands every internal call what is left of the deadline and the client signal', async () => {
    const budgets: unknown[] = [];
    const signal = new AbortController().signal;
    const spy =
      <A extends unknown[], R>(fn: (...a: A) => R) =>
      (...a: A) => {
        budgets.push(a[a.length - 1]);
        return fn(...a);
      };
    // The harness clock says 0 ms, so a deadline of 750 leaves 750 ms for each stage.
    const p = createActionProcessor({
      ports: {
        checkQuota: spy(async () => create(quotav1.CheckResponseSchema, { allowed: true })),
        judge: spy(async () => create(judgev1.JudgeResponseSchema, { decision: Decision.ALLOW })),
        appendAudit: spy(async (r: auditv1.AuditRecord) =>
          create(auditv1.AppendResponseSchema, { record: { ...r, leaf: new Uint8Array(1) } }),
        ),
        getAudit: spy(async () => undefined),
      },
      now: () => new Date(0),
      newActionId: () => 'id',
      requestDigestKey: KEY,
    });
    await p(request(), { signal, deadline: 750 });
    expect(budgets).toEqual([
      { signal, timeoutMs: 750 },
      { signal, timeoutMs: 750 },
      { signal, timeoutMs: 750 },
    ]);
  });

  it('stores the redacted content, never the raw action, and answers with the audit receipt', async () => {
    const h = harness();
    const { response } = await h.process(request());
    const stored = h.records.get(response.actionId)!;
    expect(stored.content).toBe('mail [EMAIL_1]');
    expect(response.decision).toBe(Decision.ALLOW_WITH_MODIFICATION);
    expect(response.modifiedAction).toBe('mail [EMAIL_1]');
    expect(response.audit?.sequence).toBe(0n);
    expect(response.audit?.leafHash).toHaveLength(32);
    expect(response.quota?.remaining).toBe(3n);
  });

  it('answers the same from an audit receipt as from the echoed record, and a retry from the stored record', async () => {
    const plain = harness();
    await plain.process(request({ actionId: 'x0' }));
    const echoed = await plain.process(request({ actionId: 'x1' }));
    const h = harness({ receipts: true });
    await h.process(request({ actionId: 'x0' }));
    const fromReceipt = await h.process(request({ actionId: 'x1' }));
    expect(fromReceipt.response.audit?.sequence).toBe(1n);
    // Everything but the commit time (each harness stamps its own) is the same.
    const withoutTime = (r: typeof echoed.response) => ({
      ...r,
      audit: { ...r.audit!, committedAt: undefined },
    });
    expect(withoutTime(fromReceipt.response)).toEqual(withoutTime(echoed.response));
    expect(fromReceipt.response.audit?.committedAt).toEqual(h.records.get('x1')!.committedAt);
    const leaf = createHash('sha256')
      .update(Buffer.from([0]))
      .update(h.records.get('x1')!.leaf)
      .digest();
    expect(Buffer.from(fromReceipt.response.audit!.leafHash)).toEqual(leaf);
    // The first answer's quota header aside, a retry returns the same decision and audit receipt.
    const retried = await h.process(request({ actionId: 'x1' }));
    expect(retried.response.audit).toMatchObject({
      sequence: 1n,
      replayed: true,
      leafHash: fromReceipt.response.audit!.leafHash,
    });
  });

  it('returns the original decision for a retried action id without judging again', async () => {
    const h = harness();
    const first = await h.process(request({ actionId: 'x-1' }));
    const again = await h.process(request({ actionId: 'x-1' }));
    expect(again.response.decision).toBe(first.response.decision);
    expect(again.response.audit?.sequence).toBe(first.response.audit?.sequence);
    expect(again.response.audit?.replayed).toBe(true);
    expect(h.calls.judge).toBe(1);
    expect(h.records.size).toBe(1);
    // Only the flagged replay read the audit trail; the first attempt did not.
    expect(h.calls.getAudit).toBe(1);
  });

  it('reads the audit trail only for replays: not for new ids, not for generated ids', async () => {
    const h = harness();
    await h.process(request());
    await h.process(request({ actionId: 'fresh-1' }));
    expect(h.calls.getAudit).toBe(0);
    expect(h.calls.judge).toBe(2);
  });

  it('still answers a retry that quota has forgotten with the original record, stored once', async () => {
    const h = harness({ quotaRemembers: false });
    const first = await h.process(request({ actionId: 'x-2' }));
    const again = await h.process(request({ actionId: 'x-2' }));
    expect(again.response.audit?.replayed).toBe(true);
    expect(again.response.audit?.sequence).toBe(first.response.audit?.sequence);
    expect(h.records.size).toBe(1);
  });

  it('answers a retry of a stored action with its decision even when the agent is now over quota', async () => {
    const h = harness({ quotaRemembers: false });
    const first = await h.process(request({ actionId: 'x-3' }));
    h.setAllowed(false);
    const again = await h.process(request({ actionId: 'x-3' }));
    expect(again.response.decision).toBe(first.response.decision);
    expect(again.response.audit?.replayed).toBe(true);
    await expect(h.process(request({ actionId: 'x-4' }))).rejects.toBeInstanceOf(
      QuotaExceededError,
    );
  });

  it.each([true, false])(
    'refuses an action id already used by another agent instead of revealing its decision (quota remembers: %s)',
    async (quotaRemembers) => {
      const h = harness({ quotaRemembers });
      await h.process(request({ actionId: 'shared-1', agentId: 'a1' }));
      const err = await h
        .process(request({ actionId: 'shared-1', agentId: 'b2' }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AlreadyExistsError);
      expect((err as AlreadyExistsError).field).toBe('action_id');
      const otherTenant = await h
        .process(request({ actionId: 'shared-1', agentId: 'a1', tenantId: 'other' }))
        .catch((e: unknown) => e);
      expect(otherTenant).toBeInstanceOf(AlreadyExistsError);
      expect(h.records.size).toBe(1);
      // The owner's retry is still answered.
      expect(
        (await h.process(request({ actionId: 'shared-1', agentId: 'a1' }))).response.audit
          ?.replayed,
      ).toBe(true);
    },
  );

  it.each([
    ['quota remembers', { quotaRemembers: true }],
    ['quota forgot', { quotaRemembers: false }],
    [
      'the audit read misses, only the append dedupes',
      { quotaRemembers: false, auditReadMisses: true },
    ],
  ])(
    'refuses an action id reused by the same agent for a different action (%s)',
    async (_, opts) => {
      const h = harness(opts);
      const first = await h.process(request({ actionId: 'reuse-1' }));
      expect(h.records.get('reuse-1')!.requestDigest).toBe(requestDigest(request(), KEY));
      for (const changed of [
        { action: 'rm -rf / --no-preserve-root' },
        { actionType: ActionType.SYSTEM_COMMAND },
        { context: { tool: 'shell' } },
      ]) {
        const err = await h
          .process(request({ actionId: 'reuse-1', ...changed }))
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AlreadyExistsError);
        expect((err as AlreadyExistsError).field).toBe('action_id');
        expect((err as AlreadyExistsError).message).toMatch(/different action/);
      }
      expect(h.records.size).toBe(1);
      // The exact retry is still answered with the original decision.
      const again = await h.process(request({ actionId: 'reuse-1' }));
      expect(again.response.audit?.sequence).toBe(first.response.audit?.sequence);
      expect(again.response.audit?.replayed).toBe(true);
    },
  );

  it('digests the request canonically: context key order does not matter, values do', () => {
    const a = requestDigest(request({ context: { tool: 'search', args: { q: 'x', n: 1 } } }), KEY);
    expect(
      requestDigest(request({ context: { args: { n: 1, q: 'x' }, tool: 'search' } }), KEY),
    ).toBe(a);
    expect(
      requestDigest(request({ context: { tool: 'search', args: { q: 'x', n: 2 } } }), KEY),
    ).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keys the digest: the stored value does not confirm a guess of the redacted content', () => {
    const req = request({ action: 'mail jane@example.com' });
    const unkeyed = createHash('sha256')
      .update(JSON.stringify({ action_type: req.actionType, content: req.action, context: null }))
      .digest('hex');
    expect(requestDigest(req, KEY)).not.toBe(unkeyed);
    expect(requestDigest(req, 'another key of at least 32 chars!!')).not.toBe(
      requestDigest(req, KEY),
    );
  });

  it('answers a retry of a record written before digests existed on agent and tenant alone', async () => {
    const h = harness({ quotaRemembers: false });
    await h.process(request({ actionId: 'legacy-1' }));
    h.records.get('legacy-1')!.requestDigest = '';
    const again = await h.process(request({ actionId: 'legacy-1', action: 'anything' }));
    expect(again.response.audit?.replayed).toBe(true);
  });

  it('reads the audit trail when quota could not be asked (failed open)', async () => {
    const h = harness({ quotaStore: 'unavailable', quotaRemembers: false });
    await h.process(request({ actionId: 'x-5' }));
    const again = await h.process(request({ actionId: 'x-5' }));
    expect(again.response.audit?.replayed).toBe(true);
    expect(h.calls.judge).toBe(1);
  });

  it('refuses over quota without judging or auditing', async () => {
    const h = harness({ allowed: false });
    await expect(h.process(request())).rejects.toBeInstanceOf(QuotaExceededError);
    expect(h.calls.judge).toBe(0);
    expect(h.calls.append).toBe(0);
  });

  it('names the stage that failed and acknowledges nothing', async () => {
    const h = harness({
      judge: () => {
        throw new ConnectError('the operation timed out', Code.DeadlineExceeded);
      },
    });
    const err = await h.process(request()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.DeadlineExceeded);
    expect((err as ConnectError).rawMessage).toBe('judge: the operation timed out');
    expect(h.records.size).toBe(0);
  });
});
