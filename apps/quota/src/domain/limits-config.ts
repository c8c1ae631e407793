import { z } from 'zod';
import { QuotaConfigError } from './errors';

/** One limit: sustained rate, burst and shadow flag. */
const limitSpecSchema = z.strictObject({
  /** Units per second (> 0). */
  rate: z.number().positive().finite(),
  /** Units that may be spent at once (integer ≥ 1). */
  burst: z.number().int().min(1),
  /** Count "would have limited" without denying. */
  shadow: z.boolean().default(false),
});

/**
 * The region limit. Its rate is replaced by `NETHICAL_REQUESTS_PER_SECOND`, and its burst
 * follows: scaled by the same factor (the burst lasts as many seconds as in the file), unless
 * `keepBurst` says the file's burst is meant as an absolute number.
 */
const regionSpecSchema = limitSpecSchema.extend({
  /** Keep `burst` as written when NETHICAL_REQUESTS_PER_SECOND replaces the rate. */
  keepBurst: z.boolean().default(false),
});

/**
 * `config/quota/limits.json`, version 1. See docs/quota.md for the format.
 * `defaults.*` apply to every agent / tenant / region; `agents` and `tenants` override them by id.
 */
export const quotaLimitsSchema = z.strictObject({
  /** Format version; bump on incompatible changes. */
  version: z.literal(1),
  /** Bytes per extra cost unit: cost = 1 + floor(payloadBytes / costUnitBytes). */
  costUnitBytes: z.number().int().positive().default(65_536),
  /** Largest accepted payload (overridden by `NETHICAL_MAX_PAYLOAD_BYTES`). */
  maxPayloadBytes: z.number().int().positive().default(1_048_576),
  /** Active-agents window in seconds (the `nethical_active_agents` gauge). */
  activeWindowSeconds: z.number().int().min(60).default(300),
  defaults: z
    .strictObject({
      agent: limitSpecSchema.optional(),
      tenant: limitSpecSchema.optional(),
      /** Region cap; its rate is replaced by `NETHICAL_REQUESTS_PER_SECOND`, its burst follows (see regionSpecSchema). */
      region: regionSpecSchema.optional(),
    })
    .default({}),
  /** Per-tenant overrides keyed by tenant id. */
  tenants: z.record(z.string().min(1), limitSpecSchema).default({}),
  /** Per-agent overrides keyed by agent id. */
  agents: z.record(z.string().min(1), limitSpecSchema).default({}),
});

/** Validated limits file. */
export type QuotaLimits = z.output<typeof quotaLimitsSchema>;
/** One validated limit. */
export type LimitSpec = z.output<typeof limitSpecSchema>;

/**
 * Validate parsed JSON; throws `QuotaConfigError` listing every problem at once
 * (`path: message` per issue). `source` names the file in the messages.
 */
export function parseQuotaLimits(input: unknown, source = 'limits'): QuotaLimits {
  const parsed = quotaLimitsSchema.safeParse(input);
  if (!parsed.success) {
    throw new QuotaConfigError(
      parsed.error.issues.map(
        (issue) => `${source}: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
      ),
    );
  }
  return parsed.data;
}
