import { z } from 'zod';
import { ACTION_TYPE_NAMES, DECISION_NAMES } from '../finding.js';

/**
 * The policy file format (`config/policies/*.json`). Rules are data: signals are named lists
 * of patterns (safe subset, see safe-pattern.ts); detectors hold rules that combine signals;
 * thresholds and the decision mapping live here too. docs/judge.md describes every field.
 */

const severity = z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
const decision = z.enum(DECISION_NAMES);
const actionType = z.enum(ACTION_TYPE_NAMES);
const unit = z.number().min(0).max(1);

export const ruleSchema = z.strictObject({
  /** Unique within the detector. */
  id: z.string().min(1),
  /** Violation category, e.g. `jailbreak`, `harmful.weapons`. */
  category: z.string().regex(/^[a-z][a-z0-9_.]*$/),
  severity,
  confidence: unit,
  /** Every one of these signals must be present. */
  all: z.array(z.string()).default([]),
  /** At least `minAny` of these must be present (when non-empty). */
  any: z.array(z.string()).default([]),
  minAny: z.number().int().min(1).default(1),
  /** None of these may be present (defensive / benign framing). */
  none: z.array(z.string()).default([]),
  /**
   * Where a `none` hit counts. `text` (default): anywhere, it cancels the rule. `paragraph`: it
   * neutralises only the `all`/`any` hits in its own paragraph (text between blank lines), so a
   * refusal followed by a compliant answer in a later paragraph still fires the rule.
   * `sentence`: only the hits in its own sentence, so a benign sense or a safe framing ("kill
   * the process", "my own phone") does not excuse a harmful request in another sentence.
   */
  noneScope: z.enum(['text', 'paragraph', 'sentence']).default('text'),
  /** Only for these action types (all when absent). */
  actionTypes: z.array(actionType).optional(),
  /** Severity override per action type (e.g. `rm -rf` is worse as a system_command). */
  severityByActionType: z.partialRecord(actionType, severity).optional(),
  reason: z.string().min(1),
});

export const detectorSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** `cheap` always runs; `deep` runs only when its gate signals fire (tiered mode) or risk calls for it. */
  tier: z.enum(['cheap', 'deep']).default('cheap'),
  description: z.string().default(''),
  rules: z.array(ruleSchema).min(1),
});

export const policySchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  version: z.string().min(1),
  description: z.string().default(''),
  limits: z.strictObject({
    /** Content longer than this is not scanned in full and is blocked as oversize. */
    maxContentChars: z.number().int().positive(),
    /**
     * Input bound per pattern: content is scanned in chunks of this size, overlapping by 256
     * characters (scan-context.ts); at 256 or less a scan would never advance.
     */
    scanChunkChars: z.number().int().min(1024),
    maxDecodedSegments: z.number().int().min(0),
    maxDecodeDepth: z.number().int().min(0).max(4),
    /** Repetition flood: at least this many tokens ... */
    repetitionMinTokens: z.number().int().positive(),
    /** ... of which the distinct share is below this. */
    repetitionMaxDistinctRatio: unit,
    /** A single character repeated this many times in a row. */
    repetitionMaxRun: z.number().int().positive(),
  }),
  scoring: z.strictObject({
    /** Weight of one finding in the action risk (noisy-or of weight × confidence). */
    severityWeights: z.strictObject({ LOW: unit, MEDIUM: unit, HIGH: unit, CRITICAL: unit }),
    /** Confidence added when a finding was only visible in a decoded/de-obfuscated view. */
    obfuscationBonus: unit,
  }),
  risk: z.strictObject({
    /** Agent risk halves every `halfLifeSec` seconds without new violations. */
    halfLifeSec: z.number().positive(),
    /** Share of an action's risk added to the agent's risk. */
    actionWeight: unit,
    /** Weight of the ML score in blending: risk' = risk + w · ml · (1 − risk). */
    mlBlendWeight: unit,
    mlTimeoutMs: z.number().int().positive(),
  }),
  decision: z.strictObject({
    /** Decision per severity of the worst confident finding. */
    bySeverity: z.strictObject({
      LOW: decision,
      MEDIUM: decision,
      HIGH: decision,
      CRITICAL: decision,
    }),
    /** Action risk at/above which the decision is at least WARN / BLOCK. */
    warnAt: unit,
    blockAt: unit,
    /** A HIGH/CRITICAL finding below this confidence (and nothing else blocking) is ESCALATEd. */
    escalateBelowConfidence: unit,
    /** Categories (prefixes) whose low-confidence findings go to a human. */
    escalateCategories: z.array(z.string()),
    /** Agent risk (before this action) at/above which WARN becomes BLOCK. */
    repeatOffenderAgentRisk: unit,
    /** A CRITICAL finding from an agent whose risk (after it) is at/above this TERMINATEs. */
    terminateAgentRisk: unit,
    /** Agent risk at/above which the agent is quarantined (flag enableQuarantine). */
    quarantineAgentRisk: unit,
    quarantineDefaultSec: z.number().int().positive(),
    /**
     * No effect; accepted so older policy files load. Tiered mode once ran every detector for
     * agents at or above this risk, but a deep detector whose gate is silent cannot fire, so that
     * found nothing more and cost a risk read per action (docs/judge.md).
     */
    deepScanAgentRisk: unit.optional(),
  }),
  sensitive: z.strictObject({
    /** Severity per PII/secret entity type; `default` for unlisted types. */
    piiSeverity: z.record(z.string(), severity),
    secretSeverity: z.record(z.string(), severity),
    /** When true the audit store may receive raw content (redactedContent = content). */
    storeRaw: z.boolean().default(false),
  }),
  /**
   * Named pieces of pattern, written once and used in signals (and other fragments) as
   * `{{name}}`; expanded before any check, so the safe-subset rules apply to the result. A list
   * of pieces is a set of alternative leads: a pattern that starts with it becomes one pattern
   * per piece (each keeps its own leading group, so heads stay shared), and it may appear nowhere
   * else.
   */
  fragments: z
    .record(
      z.string().regex(/^[a-z][a-z0-9_]*$/),
      z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    )
    .default({}),
  signals: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.array(z.string()).min(1)),
  /**
   * Signals that name a harmless reading of the very words they match ("kill the process", "bath
   * bomb", "steal the show"). In a rule's `none` list such a signal neutralises only the hits it
   * overlaps, whatever the rule's `noneScope`: a safe phrase beside an attack in the same sentence
   * excuses the phrase, not the attack. Every other `none` signal is a context (fiction, history,
   * defence, a refusal) and keeps the rule's scope.
   */
  senses: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).default([]),
  /**
   * Contexts that speak for their own clause only ("…and what are the warning signs of
   * keyloggers" speaks for its clause, not for "write a keylogger" before it). In a rule's
   * `none` list such a signal excuses the clause it lies in: its sentence, cut at `;`, at
   * `and`/`or`/`but`/`then`/`also`/`plus`, and at a comma before a new request. The rule's
   * signals are scanned again over the text with those clauses blanked, whatever its `noneScope`.
   */
  clauseContexts: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).default([]),
  /**
   * Contexts that frame a request ("In Minecraft, …", "For my history class, …", "As a nurse,
   * …"): in the `none` list of a rule with `noneScope: sentence`, such a signal excuses its
   * sentence up to a new request joined on with `and`/`but`/`then`/`also`/`plus` or after `;`
   * ("…, and how do I make a real pipe bomb?"), and from the last such join before it.
   */
  framingContexts: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).default([]),
  detectors: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), detectorSchema),
});

export type PolicyFile = z.infer<typeof policySchema>;
export type PolicyRule = z.infer<typeof ruleSchema>;
export type PolicyDetector = z.infer<typeof detectorSchema>;
