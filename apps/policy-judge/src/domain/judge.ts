import { randomUUID } from 'node:crypto';
import { actionRisk, decide } from './decision.js';
import { InvalidActionError } from './errors.js';
import { createAdversarialSuffixDetector } from './detectors/adversarial-suffix.js';
import type { Detector } from './detectors/detector.js';
import { createDualVoiceDetector } from './detectors/dual-voice.js';
import { createObfuscationDetector } from './detectors/obfuscation.js';
import { createRuleDetector } from './detectors/rule-detector.js';
import { createScanContext } from './detectors/scan-context.js';
import { sensitiveFindings } from './detectors/sensitive-data.js';
import { createSystemLimitsDetector } from './detectors/system-limits.js';
import type { Escalation, EscalationStatus } from './escalation/escalation-store.js';
import type { Finding, JudgedFinding, SensitiveEntity } from './finding.js';
import type { JudgeDeps, JudgeInput, JudgeOutcome, MlOutcome } from './judge-types.js';
import { validateJudgeInput } from './judge-validate.js';
import type { CompiledPolicy } from './policy/compile-policy.js';
import type { QuarantineEntry } from './quarantine/quarantine-store.js';

export type * from './judge-types.js';

/** The judge: one call per action, plus the operator surface for quarantine and escalations. */
export interface Judge {
  judge(input: JudgeInput): Promise<JudgeOutcome>;
  /** Operator quarantine; `durationSec` 0/undefined → the policy's default duration. */
  quarantine(agentId: string, reason: string, durationSec?: number): Promise<QuarantineEntry>;
  release(agentId: string): Promise<boolean>;
  listQuarantined(): Promise<QuarantineEntry[]>;
  listEscalations(status?: EscalationStatus): Promise<Escalation[]>;
  resolveEscalation(
    id: string,
    status: 'APPROVED' | 'REJECTED',
    by: string,
    note: string,
  ): Promise<Escalation>;
}

/** Detectors are built once per compiled policy (a reload builds a new set). */
const detectorCache = new WeakMap<CompiledPolicy, Detector[]>();
export function detectorsFor(policy: CompiledPolicy): Detector[] {
  let list = detectorCache.get(policy);
  if (!list) {
    list = [
      createSystemLimitsDetector(),
      createObfuscationDetector(),
      createAdversarialSuffixDetector(),
      createDualVoiceDetector(),
      ...policy.detectors.map(createRuleDetector),
    ];
    detectorCache.set(policy, list);
  }
  return list;
}

/** Create a judge. See judge-types.ts for the dependencies and docs/judge.md for the semantics. */
/**
 * The part of the content that is scanned for PII and secrets: all of it up to `max` characters;
 * beyond that, the prefix cut at the last whitespace of its final 256 characters, so a token
 * (an e-mail address, a key) that straddles the limit is withheld whole rather than half-kept
 * unscanned. Everything after the prefix is withheld from storage.
 */
export function scannedPrefix(content: string, max: number): string {
  if (content.length <= max) return content;
  let cut = max;
  for (let i = max; i > Math.max(0, max - 256); i--) {
    const c = content.charCodeAt(i - 1);
    if (c === 32 || c === 10 || c === 9 || c === 13) {
      cut = i;
      break;
    }
  }
  // Never split a surrogate pair.
  const last = content.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return content.slice(0, cut);
}

export function createJudge(deps: JudgeDeps): Judge {
  const { flags, clock } = deps;
  const monotonic = deps.monotonic ?? (() => performance.now());
  const newId = deps.newId ?? randomUUID;
  if (flags.enableEthicalTaxonomy && !deps.taxonomy)
    throw new Error('enableEthicalTaxonomy needs a taxonomy');

  async function scoreMl(input: JudgeInput, timeoutMs: number): Promise<MlOutcome | undefined> {
    if (!deps.mlScore || (!flags.enableShadowMode && !flags.enableMlBlending)) return undefined;
    const shadow = flags.enableShadowMode;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const r = await Promise.race([
        deps.mlScore({
          content: input.content,
          actionType: input.actionType,
          agentId: input.agentId,
        }),
        timeout,
      ]);
      if (r === 'timeout')
        return {
          status: 'timeout',
          shadow,
          blended: false,
          error: `no answer within ${timeoutMs} ms`,
        };
      return {
        status: 'ok',
        ...r,
        score: Math.min(1, Math.max(0, r.score)),
        shadow,
        blended: !shadow && flags.enableMlBlending,
      };
    } catch (err) {
      return { status: 'failed', shadow, blended: false, error: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }

  async function judge(input: JudgeInput): Promise<JudgeOutcome> {
    validateJudgeInput(input);
    const t0 = monotonic();
    const policy = deps.policy.current();
    const file = policy.file;
    const now = clock();
    const mlPromise = scoreMl(input, file.risk.mlTimeoutMs);
    const tiered = flags.enablePerformanceOptimization;
    let storesMs = 0;
    const timed = async <T>(p: Promise<T>): Promise<T> => {
      const s = monotonic();
      try {
        return await p;
      } finally {
        storesMs += monotonic() - s;
      }
    };
    // The agent's risk is not read before scanning: it would change nothing found (a deep
    // detector whose gate is silent cannot fire, see below), and the update after the scan
    // returns it, so an action costs one risk round trip to Redis, not two.
    const quarantined = flags.enableQuarantine
      ? await timed(deps.quarantineStore.get(input.agentId, now))
      : null;

    // PII and secrets always run: redactedContent must never carry raw PII to the audit store.
    const ts = monotonic();
    const scanned = scannedPrefix(input.content, file.limits.maxContentChars);
    const entities: SensitiveEntity[] = [
      ...deps.sensitiveData.detectPii(scanned, { policy: flags.redactionPolicy }),
      ...deps.sensitiveData.detectSecrets(scanned),
    ];
    const redactedPrefix =
      entities.length > 0
        ? deps.sensitiveData.redact(scanned, entities, flags.redactionPolicy).text
        : scanned;
    // What was not scanned for PII and secrets is never stored: it cannot be vouched for.
    const withheld = input.content.length - scanned.length;
    const redacted =
      withheld > 0
        ? `${redactedPrefix}[UNSCANNED_${withheld}_CHARACTERS_WITHHELD]`
        : redactedPrefix;
    const sensitiveMs = monotonic() - ts;

    const td = monotonic();
    const findings: Finding[] = sensitiveFindings(entities, policy);
    const detectorsRun: string[] = ['pii', 'secrets'];
    if (!quarantined) {
      const ctx = createScanContext(input.content, input.actionType, policy);
      for (const det of detectorsFor(policy)) {
        // Skipping loses nothing: every rule needs its gate signal (compile-policy.ts, `gate`).
        if (tiered && det.tier === 'deep' && !det.gate(ctx)) continue;
        detectorsRun.push(det.id);
        findings.push(...det.run(ctx, { shortCircuit: tiered }));
      }
    }
    const detectorsMs = monotonic() - td;

    let risk = actionRisk(findings, file.scoring.severityWeights);
    const ml = await mlPromise;
    if (ml?.blended && ml.score !== undefined)
      risk = risk + file.risk.mlBlendWeight * ml.score * (1 - risk);

    const { prior, current } = quarantined
      ? {
          prior: 0,
          current: await timed(deps.riskStore.get(input.agentId, now, file.risk.halfLifeSec)),
        }
      : await timed(
          deps.riskStore.update({
            agentId: input.agentId,
            actionRisk: risk,
            nowMs: now,
            halfLifeSec: file.risk.halfLifeSec,
            weight: file.risk.actionWeight,
          }),
        );
    const verdict = decide(
      {
        findings,
        risk,
        priorAgentRisk: prior,
        agentRisk: current,
        quarantined: quarantined !== null,
        quarantineEnabled: flags.enableQuarantine,
      },
      file,
    );

    let judged: JudgedFinding[] = findings.map((f) => ({ ...f, ethicalDimensions: [] }));
    let ethicalDimensions: string[] = [];
    let primaryDimension: string | null = null;
    if (flags.enableEthicalTaxonomy && deps.taxonomy) {
      const t = deps.taxonomy.apply(findings);
      judged = t.findings;
      ethicalDimensions = t.dimensions;
      primaryDimension = t.primary;
    }

    const redactedContent = file.sensitive.storeRaw ? input.content : redacted;
    if (verdict.quarantineNow) {
      const entry: QuarantineEntry = {
        agentId: input.agentId,
        reason: `auto: agent risk ${current.toFixed(2)} after action ${input.actionId}`,
        sinceMs: now,
        untilMs: now + file.decision.quarantineDefaultSec * 1000,
        source: 'auto',
      };
      await timed(deps.quarantineStore.put(entry));
    }
    let escalationId: string | undefined;
    if (verdict.decision === 'ESCALATE') {
      escalationId = newId();
      await timed(
        deps.escalationStore.create({
          escalationId,
          actionId: input.actionId,
          agentId: input.agentId,
          tenantId: input.tenantId,
          findings: judged,
          redactedContent: redacted,
          status: 'PENDING',
          createdAtMs: now,
          resolvedAtMs: null,
          resolvedBy: null,
          note: null,
        }),
      );
    }
    const mlNote =
      ml && ml.status !== 'ok' ? [`ML score unavailable (${ml.status}): judged without it`] : [];
    const reasoning = [
      `${verdict.decision}:`,
      ...(verdict.reasons.length > 0 ? verdict.reasons : ['no violations']),
      ...mlNote,
    ].join(' ');
    return {
      decision: verdict.decision,
      findings: judged,
      riskScore: risk,
      agentRisk: current,
      reasoning,
      redactedContent,
      ...(verdict.decision === 'ALLOW_WITH_MODIFICATION' ? { modifiedContent: redacted } : {}),
      detectorsRun,
      policyRevision: policy.revision,
      ...(ml ? { ml } : {}),
      ethicalDimensions,
      primaryDimension,
      ...(escalationId ? { escalationId } : {}),
      timings: { totalMs: monotonic() - t0, detectorsMs, sensitiveMs, storesMs },
    };
  }

  return {
    judge,
    async quarantine(agentId, reason, durationSec) {
      if (!agentId) throw new InvalidActionError('agentId', 'must be a non-empty string');
      const now = clock();
      const sec =
        durationSec && durationSec > 0
          ? durationSec
          : deps.policy.current().file.decision.quarantineDefaultSec;
      const entry: QuarantineEntry = {
        agentId,
        reason,
        sinceMs: now,
        untilMs: now + sec * 1000,
        source: 'operator',
      };
      await deps.quarantineStore.put(entry);
      return entry;
    },
    release: (agentId) => deps.quarantineStore.release(agentId),
    listQuarantined: () => deps.quarantineStore.list(clock()),
    listEscalations: (status) => deps.escalationStore.list(status),
    resolveEscalation: (id, status, by, note) =>
      deps.escalationStore.resolve(id, { status, by, note, nowMs: clock() }),
  };
}
