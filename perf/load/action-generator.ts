import { createRng, mixSeed, type Rng } from './prng';
import {
  attackTemplates,
  benignTemplates,
  piiTemplates,
  riskyToolTemplates,
  toolTemplates,
  type TextTemplate,
} from './action-vocab';

/** The four kinds of action the load mixes. */
export const actionCategories = ['benign', 'tool', 'pii', 'attack'] as const;
export type ActionCategory = (typeof actionCategories)[number];

/** Share of each category; values sum to 1. */
export type ActionMix = Record<ActionCategory, number>;

/** Default mix: 20 % risky overall (PII + attacks), plus a few risky tool calls. */
export const defaultMix: ActionMix = { benign: 0.6, tool: 0.2, pii: 0.1, attack: 0.1 };

/** Share of tool calls that are destructive or exfiltrating rather than routine. */
export const riskyToolShare = 0.1;

/** Action types as the gateway's JSON API spells them (lowercase `ActionType` names). */
export type LoadActionType =
  'message' | 'response' | 'tool_call' | 'system_command' | 'data_access';

/** One synthetic action, ready to be sent by any protocol. */
export interface LoadAction {
  agentId: string;
  /** `load-tenant-<agent mod tenants>`, or undefined (the gateway's default tenant) when tenants is 0. */
  tenantId?: string | undefined;
  /** Unique per run: `<runId>-<agent>-<n>`, so retries are idempotent but runs never collide. */
  actionId: string;
  actionType: LoadActionType;
  text: string;
  category: ActionCategory;
  /** True when the generator meant this action to be flagged (PII, attack, risky tool call). */
  risky: boolean;
}

/** Hands out each agent's next action; every agent has its own seeded stream. */
export interface ActionGenerator {
  next(agentIndex: number): LoadAction;
}

/** Error for a malformed `--mix` value. */
export class InvalidMixError extends Error {
  override readonly name = 'InvalidMixError';
}

/**
 * Parse `benign=0.6,tool=0.2,pii=0.1,attack=0.1`. Missing categories weigh 0; weights are
 * normalised, so `benign=3,attack=1` means 75 % / 25 %.
 */
export function parseMix(text: string): ActionMix {
  const mix: ActionMix = { benign: 0, tool: 0, pii: 0, attack: 0 };
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value, ...rest] = part.split('=').map((p) => p.trim());
    if (
      !actionCategories.includes(key as ActionCategory) ||
      value === undefined ||
      rest.length > 0
    ) {
      throw new InvalidMixError(
        `--mix: expected ${actionCategories.join('|')}=<weight>, got "${part}"`,
      );
    }
    const weight = Number(value);
    if (!Number.isFinite(weight) || weight < 0)
      throw new InvalidMixError(`--mix: bad weight in "${part}"`);
    mix[key as ActionCategory] = weight;
  }
  const total = actionCategories.reduce((sum, c) => sum + mix[c], 0);
  if (total <= 0) throw new InvalidMixError('--mix: weights must add up to more than 0');
  for (const c of actionCategories) mix[c] /= total;
  return mix;
}

/** `benign=0.6,tool=0.2,…` back from a mix. */
export function formatMix(mix: ActionMix): string {
  return actionCategories.map((c) => `${c}=${Number(mix[c].toFixed(4))}`).join(',');
}

/** The id an agent index maps to. */
export const agentIdOf = (agentIndex: number): string => `load-agent-${agentIndex}`;

interface AgentStream {
  rng: Rng;
  count: number;
}

export interface ActionGeneratorOptions {
  seed: number;
  mix?: ActionMix;
  /** Prefix of action ids; pick a fresh one per run so the gateway never replays an old decision. */
  runId: string;
  /** Spread the agents over this many tenants (agent i → tenant i mod n); 0: no tenant_id sent. */
  tenants?: number | undefined;
}

/**
 * Create the generator. Agent `i`'s k-th action depends only on `(seed, i, k)`, not on how the
 * agents interleave, so a run is reproducible from its seed whatever the server does. Streams
 * are created lazily: 10,000 agents cost 10,000 tiny objects.
 */
export function createActionGenerator(options: ActionGeneratorOptions): ActionGenerator {
  const mix = options.mix ?? defaultMix;
  const thresholds = actionCategories.map((_, i) =>
    actionCategories.slice(0, i + 1).reduce((s, c) => s + mix[c], 0),
  );
  const streams = new Map<number, AgentStream>();

  const categoryOf = (u: number): ActionCategory => {
    for (let i = 0; i < actionCategories.length; i++) {
      if (u < (thresholds[i] ?? 1)) return actionCategories[i] as ActionCategory;
    }
    // Floating point may leave the last threshold at 0.9999…; fall back to the last weighted one.
    return [...actionCategories].reverse().find((c) => mix[c] > 0) ?? 'benign';
  };

  return {
    next(agentIndex) {
      let stream = streams.get(agentIndex);
      if (!stream) {
        stream = { rng: createRng(mixSeed(options.seed, agentIndex)), count: 0 };
        streams.set(agentIndex, stream);
      }
      const { rng } = stream;
      const n = stream.count++;
      // The ref token is what makes every text unique: agent and sequence in base 36, plus noise.
      const ref = `${agentIndex.toString(36)}-${n.toString(36)}${rng.hex(3)}`;
      const category = categoryOf(rng.next());
      let template: TextTemplate;
      let actionType: LoadActionType;
      let risky = category === 'pii' || category === 'attack';
      switch (category) {
        case 'benign':
          template = rng.pick(benignTemplates);
          actionType = rng.next() < 0.8 ? 'message' : 'response';
          break;
        case 'tool':
          risky = rng.next() < riskyToolShare;
          template = rng.pick(risky ? riskyToolTemplates : toolTemplates);
          actionType = rng.pick<LoadActionType>([
            'tool_call',
            'tool_call',
            'system_command',
            'data_access',
          ]);
          break;
        case 'pii':
          template = rng.pick(piiTemplates);
          actionType = rng.next() < 0.7 ? 'message' : 'data_access';
          break;
        case 'attack':
          template = rng.pick(attackTemplates);
          actionType = 'message';
          break;
      }
      return {
        agentId: agentIdOf(agentIndex),
        tenantId: options.tenants ? `load-tenant-${agentIndex % options.tenants}` : undefined,
        actionId: `${options.runId}-${agentIndex}-${n}`,
        actionType,
        text: template(rng, ref),
        category,
        risky,
      };
    },
  };
}
