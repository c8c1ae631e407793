import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { defaultMix, formatMix, parseMix } from './action-generator';
import type { LoadConfig } from './run-load';
import { protocols } from './senders/sender';

/** Seconds from `90`, `90s`, `2m`, `1h`. */
export function parseSeconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: "${text}" (use 90, 90s, 2m, 1h)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return unit === 'ms'
    ? value / 1000
    : unit === 'm'
      ? value * 60
      : unit === 'h'
        ? value * 3600
        : value;
}

const number = z.coerce.number();

/** The raw CLI flags, as commander hands them over (strings), validated all at once. */
export const loadFlagsSchema = z.object({
  /** Gateway base URL, or for http the full `/process_action` URL. */
  endpoint: z.string().url(),
  protocol: z.enum(protocols),
  /** Distinct agent identities `load-agent-0 … load-agent-(n-1)`, used round-robin. */
  agents: number.int().min(1).max(10_000_000),
  /** Tenants `load-tenant-0 …` the agents are spread over; 0 sends no tenant_id. */
  tenants: number.int().min(0).max(10_000_000),
  /** Target arrival rate of the measured phase, requests per second. */
  rps: number.positive().max(1_000_000),
  /** Measured phase length. */
  duration: z
    .string()
    .transform((v, ctx) => toSeconds(v, ctx))
    .pipe(z.number().positive()),
  /** Unrecorded warm-up at the same rate before the measured phase. */
  warmup: z
    .string()
    .transform((v, ctx) => toSeconds(v, ctx))
    .pipe(z.number().min(0)),
  connections: number.int().min(1).max(10_000),
  mix: z.string().transform((v, ctx) => {
    try {
      return parseMix(v);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  /** Seed of the action texts; random (and printed) when omitted. */
  seed: number.int().min(0).max(0xffffffff).optional(),
  maxInFlight: number.int().min(1),
  timeoutMs: number.int().min(1),
  output: z.string().min(1).optional(),
  /** Gateway API key; also read from NETHICAL_LOAD_API_KEY. */
  apiKey: z.string().min(1).optional(),
  sloP99Ms: number.positive().optional(),
  sloErrorRate: number.min(0).max(1).optional(),
});

function toSeconds(value: string, ctx: z.RefinementCtx): number {
  try {
    return parseSeconds(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
}

/** Defaults of the flags (the seed's `--agents 100 --rps 50 --duration 60` basic test). */
export const loadFlagDefaults = {
  endpoint: 'http://127.0.0.1:8000',
  protocol: 'http',
  agents: '100',
  tenants: '0',
  rps: '50',
  duration: '60',
  warmup: '5',
  connections: '64',
  mix: formatMix(defaultMix),
  maxInFlight: '2000',
  timeoutMs: '10000',
} as const;

/** Error listing every invalid flag at once. */
export class LoadFlagsError extends Error {
  override readonly name = 'LoadFlagsError';
}

/** Validate raw flags into a run config; throws `LoadFlagsError` naming every bad flag. */
export function parseLoadFlags(raw: Record<string, unknown>): LoadConfig {
  const parsed = loadFlagsSchema.safeParse({ ...loadFlagDefaults, ...stripUndefined(raw) });
  if (!parsed.success) {
    throw new LoadFlagsError(
      parsed.error.issues
        .map((i) => `--${kebab(String(i.path[0] ?? ''))}: ${i.message}`)
        .join('\n'),
    );
  }
  const f = parsed.data;
  return {
    endpoint: f.endpoint,
    protocol: f.protocol,
    agents: f.agents,
    tenants: f.tenants,
    rps: f.rps,
    durationSec: f.duration,
    warmupSec: f.warmup,
    connections: f.connections,
    mix: f.mix,
    seed: f.seed ?? randomInt(0, 2 ** 31),
    maxInFlight: f.maxInFlight,
    timeoutMs: f.timeoutMs,
    output: f.output,
    apiKey: f.apiKey ?? (process.env.NETHICAL_LOAD_API_KEY || undefined),
    slo: { p99Ms: f.sloP99Ms, errorRate: f.sloErrorRate },
  };
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const stripUndefined = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
