import { z } from 'zod';

/** Parse `true/false/1/0/yes/no` the way operators write flags in env files. */
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
      error: 'must be true or false',
    })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(v)));

const num = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const url = (fallback: string) => z.url().optional().default(fallback);
const optionalUrl = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() ? v.trim() : undefined))
  .pipe(z.url().optional());

/** Default ports of the six services; NETHICAL_PORT overrides the one of the running service. */
export const defaultPorts = {
  gateway: 8000,
  quota: 8001,
  'policy-judge': 8002,
  'ml-scorer': 8003,
  'audit-store': 8004,
  'merkle-anchor': 8005,
} as const;

export type ServiceName = keyof typeof defaultPorts;

/**
 * Every setting of Nethical, read from `NETHICAL_*` (and `OTEL_*`) environment variables. One
 * schema for all services, so a region's env file configures the whole mesh; each service uses
 * the part it needs. Every field has a default or is optional.
 */
export const configSchema = z.object({
  /** Region this process serves, e.g. us-east-1. */
  NETHICAL_REGION_ID: z.string().min(1).default('local'),
  /** Tenant / logical domain of actions that name none. */
  NETHICAL_LOGICAL_DOMAIN: z.string().min(1).default('default'),
  /** Folder of embedded state (PGlite databases, archives) when no database is configured. */
  NETHICAL_STORAGE_DIR: z.string().min(1).default('.data/nethical'),
  /** Region-wide action cap, actions per second. */
  NETHICAL_REQUESTS_PER_SECOND: num(200, 0.001, 1e9),
  /** Largest accepted action payload in bytes. */
  NETHICAL_MAX_PAYLOAD_BYTES: num(1_000_000, 1, 64 * 1024 * 1024),
  /** Enforce rate limits. */
  NETHICAL_ENABLE_QUOTA: flag(true),
  /** Export traces over OTLP. */
  NETHICAL_ENABLE_OTEL: flag(false),
  /** `standard`, or `differential` to add Laplace noise to published aggregates. */
  NETHICAL_PRIVACY_MODE: z.enum(['standard', 'differential']).default('standard'),
  /** Privacy budget per published aggregate in differential mode. */
  NETHICAL_EPSILON: num(1, 0.0001, 100),
  /** What is redacted before storage: minimal | standard | aggressive. */
  NETHICAL_REDACTION_POLICY: z.enum(['minimal', 'standard', 'aggressive']).default('standard'),
  /** Data-residency policy, e.g. EU_GDPR: archives and purges stay in the region. */
  NETHICAL_DATA_RESIDENCY_POLICY: z.string().optional(),
  /**
   * Tenants' home regions, `tenant=region[:EU_GDPR],…` (the same in every region): the gateway
   * forwards a tenant's actions to its home region; an EU_GDPR tenant's are judged and stored
   * only there (503 when it is down). Unset: every action is served where it arrives.
   */
  NETHICAL_TENANT_HOME_REGIONS: z.string().optional(),
  /** Every region's gateway, `region=http://host:port,…`, for forwarding to home regions. */
  NETHICAL_REGION_GATEWAYS: z.string().optional(),
  /** Anchor the audit log in a Merkle tree with signed checkpoints. */
  NETHICAL_ENABLE_MERKLE: flag(true),
  /** Map violations to ethical dimensions. */
  NETHICAL_ENABLE_ETHICAL_TAXONOMY: flag(true),
  /** Track latency against the SLA and report breaches in health and metrics. */
  NETHICAL_ENABLE_SLA_MONITORING: flag(true),
  /** Quarantine agents whose risk crosses the threshold. */
  NETHICAL_ENABLE_QUARANTINE: flag(true),
  /** Compute the ML score for every action without using it. */
  NETHICAL_ENABLE_SHADOW_MODE: flag(false),
  /** Blend the ML score into the rule risk score. */
  NETHICAL_ENABLE_ML_BLENDING: flag(false),
  /** Flag agents that depart from their own baseline. */
  NETHICAL_ENABLE_ANOMALY_DETECTION: flag(true),
  /** Run cheap detectors first and expensive ones only when needed. */
  NETHICAL_ENABLE_PERFORMANCE_OPTIMIZATION: flag(true),
  /** Redis for shared quota, risk and quarantine state; in-memory when unset. */
  NETHICAL_REDIS_URL: optionalUrl,
  /** PostgreSQL for the audit trail and Merkle tree; embedded PGlite when unset. */
  NETHICAL_DATABASE_URL: optionalUrl,
  /** Port of this service (defaults per service: gateway 8000, quota 8001 … merkle-anchor 8005). */
  NETHICAL_PORT: num(0, 0, 65535),
  /** Interface to bind. */
  NETHICAL_HOST: z.string().default('127.0.0.1'),
  /** Internal service addresses. */
  NETHICAL_QUOTA_URL: url('http://127.0.0.1:8001'),
  NETHICAL_JUDGE_URL: url('http://127.0.0.1:8002'),
  NETHICAL_ML_URL: url('http://127.0.0.1:8003'),
  NETHICAL_AUDIT_URL: url('http://127.0.0.1:8004'),
  NETHICAL_MERKLE_URL: url('http://127.0.0.1:8005'),
  /** Comma-separated API keys accepted by the gateway; open when empty. */
  NETHICAL_API_KEYS: z.string().default(''),
  /** Comma-separated `<tenant>:<key>`: agent keys bound to a tenant, whose tenant_id is the key's. */
  NETHICAL_API_KEY_TENANTS: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      for (const message of keyTenantBindings(v).problems)
        ctx.addIssue({ code: 'custom', message });
    }),
  /** Comma-separated keys for operator routes (audit queries, quarantine, escalations). */
  NETHICAL_ADMIN_API_KEYS: z.string().default(''),
  /** Deadline of an internal call, milliseconds. */
  NETHICAL_RPC_TIMEOUT_MS: num(5000, 1, 600_000),
  /** Gateway: actions worked on at once; the excess is refused at once with 503 + Retry-After (0: unbounded). */
  NETHICAL_MAX_IN_FLIGHT: num(64, 0, 1_000_000),
  /** Gateway: send the audit appends of one event-loop turn as one AppendBatch call. */
  NETHICAL_AUDIT_BATCHING: flag(true),
  /** Gateway: send the quota checks of one event-loop turn as one CheckBatch call. */
  NETHICAL_QUOTA_BATCHING: flag(true),
  /** Gateway: send the judge calls of one event-loop turn as one JudgeBatch call. */
  NETHICAL_JUDGE_BATCHING: flag(true),
  /** Gateway: most batch calls in flight to each of quota, judge and audit; what arrives meanwhile waits for one to return and goes as one batch (0: unbounded). */
  NETHICAL_BATCH_MAX_IN_FLIGHT: num(0, 0, 1024),
  /** Internal services: RPCs worked on at once before UNAVAILABLE (0: unbounded). */
  NETHICAL_INTERNAL_MAX_IN_FLIGHT: num(1024, 0, 1_000_000),
  /** Gateway: deadline of a plain HTTP request that carries none (gRPC and Connect clients send theirs), milliseconds. */
  NETHICAL_HTTP_DEADLINE_MS: num(10_000, 1, 600_000),
  /** Time allowed to drain and flush on shutdown, milliseconds. */
  NETHICAL_SHUTDOWN_TIMEOUT_MS: num(10_000, 0, 600_000),
  /** pino level. */
  NETHICAL_LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info'),
  /** Judge: let V8 run a regexp in its interpreter before compiling it (V8's default); off compiles each to native code at first use, which runs the judge 2.5–2.9× as fast (perf/RESULTS.md). */
  NETHICAL_JUDGE_REGEXP_TIER_UP: flag(false),
  /** Folder of policy files for the judge. */
  NETHICAL_POLICY_DIR: z.string().default('config/policies'),
  /** Quota limits file. */
  NETHICAL_QUOTA_LIMITS_FILE: z.string().default('config/quota/limits.json'),
  /** Treat NETHICAL_REDIS_URL as a seed node of a Redis Cluster. */
  NETHICAL_REDIS_CLUSTER: flag(false),
  /** What quota does when Redis is down or slow: local (per-instance share), open, closed. */
  NETHICAL_QUOTA_FAILURE_MODE: z.enum(['local', 'open', 'closed']).default('local'),
  /** Deadline of one quota check against Redis, milliseconds. */
  NETHICAL_QUOTA_TIMEOUT_MS: num(50, 1, 60_000),
  /** Redis failures must last this long, with no success between, before quota stops asking it, ms. */
  NETHICAL_QUOTA_TRIP_AFTER_MS: num(250, 0, 60_000),
  /** Quota instances sharing a limit (the local fallback allows limit / instances). */
  NETHICAL_QUOTA_EXPECTED_INSTANCES: num(1, 1, 10_000),
  /** How often quota probes Redis while it is down, milliseconds. */
  NETHICAL_QUOTA_PROBE_INTERVAL_MS: num(1000, 10, 600_000),
  /** How long quota remembers an allowed action id, so a retry is neither charged nor re-judged, seconds. */
  NETHICAL_QUOTA_REPLAY_WINDOW_SECONDS: num(600, 1, 604_800),
  /** Client library of internal unary calls: grpc-js (default) or connect. */
  NETHICAL_RPC_CLIENT: z.enum(['grpc-js', 'connect']).default('grpc-js'),
  /** Server of gRPC over cleartext HTTP/2 in the internal services: grpc-js (default) or connect. */
  NETHICAL_GRPC_SERVER: z.enum(['grpc-js', 'connect']).default('grpc-js'),
  /** Gateway: answer plain unary gRPC calls in the platform's lean lane, not connect-node (the rest of h2c stays on connect-node). */
  NETHICAL_GRPC_UNARY_LANE: flag(true),
  /** Model file of the ML risk scorer. */
  NETHICAL_ML_MODEL_FILE: z.string().default('apps/ml-scorer/models/risk-lr-v1.json'),
  /** Merkle checkpoint signer key (PRIVATE+KEY+…); generated and kept in the storage dir when unset. */
  NETHICAL_MERKLE_SIGNER_KEY: z.string().optional(),
  /** Checkpoint origin line. */
  NETHICAL_MERKLE_ORIGIN: z.string().optional(),
  /**
   * Merkle anchor: how long the audit tail gathers new commits before sending them as one batch,
   * milliseconds (0: each commit at once). Larger means fewer tree appends, later inclusion.
   */
  NETHICAL_MERKLE_TAIL_LINGER_MS: num(100, 0, 1000),
  /**
   * Key of the gateway's request digests (HMAC-SHA256), at least 32 characters; generated and kept
   * in the storage dir when unset. Every gateway that may see a retry of the same action must share it.
   */
  NETHICAL_REQUEST_DIGEST_KEY: z.string().min(32).optional(),
  /** SLA target for p99 action latency, milliseconds. */
  NETHICAL_SLA_P99_MS: num(200, 1, 600_000),
  /** Gateway: browser origins allowed to call it (CORS), comma-separated, or `*`; none when empty. */
  NETHICAL_CORS_ORIGINS: z
    .string()
    .default('')
    .refine((v) => csv(v).every((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o)), {
      message: 'must be comma-separated origins (scheme://host[:port]) or *',
    }),
  /** Gateway: folder of the built browser console served at /console (`npm run build:console`). */
  NETHICAL_CONSOLE_DIR: z.string().default('dist/console'),
  /** OpenTelemetry exporter (`otlp` or `none`). */
  OTEL_EXPORTER: z.enum(['otlp', 'none', 'console']).default('otlp'),
  /** OTLP HTTP endpoint. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().default('http://127.0.0.1:4318'),
  /** Service name reported in traces; the process name is appended. */
  OTEL_SERVICE_NAME: z.string().default('nethical'),
});

export type NethicalConfig = z.infer<typeof configSchema>;

/** Thrown when configuration is invalid; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: NethicalConfig;
  /** `NETHICAL_*` variables that no setting reads (likely typos). */
  unknown: string[];
}

const known = new Set(Object.keys(configSchema.shape));

/** Settings that hold secrets: a configuration error names them but never prints their value. */
const SECRET_SETTING = /(?:_KEYS?|_KEY_TENANTS|SECRET|PASSWORD|TOKEN)$/;

/** A value as shown in a configuration error: secrets by length only, URL passwords masked. */
export function shownValue(name: string, value: string): string {
  if (SECRET_SETTING.test(name)) return `${value.length} characters, not shown`;
  return JSON.stringify(value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)[^@/\s]*@/i, '$1***@'));
}

/** Validate the whole environment at once; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const relevant: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && known.has(key)) relevant[key] = value;
  }
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0]);
        return `${i.path.join('.')}: ${i.message} (got ${shownValue(name, relevant[name] ?? '')})`;
      }),
    );
  }
  const unknown = Object.keys(env)
    .filter((k) => k.startsWith('NETHICAL_') && !known.has(k) && !k.startsWith('NETHICAL_TEST_'))
    .sort();
  return { config: parsed.data, unknown };
}

/** The port this service listens on. */
export function servicePort(config: NethicalConfig, service: ServiceName): number {
  return config.NETHICAL_PORT || defaultPorts[service];
}

/**
 * Parse `NETHICAL_API_KEY_TENANTS`: comma-separated `<tenant>:<key>`, split at the first `:` (a
 * key may hold any character but `,`). Problems name an entry by its position, never by its text:
 * it holds a key. One key bound to two tenants is a problem; the first binding is kept.
 */
export function keyTenantBindings(value: string): {
  bindings: Map<string, string>;
  problems: string[];
} {
  const bindings = new Map<string, string>();
  const problems: string[] = [];
  csv(value).forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const [tenant, key] = [entry.slice(0, colon), entry.slice(colon + 1)];
    if (colon <= 0 || !key) problems.push(`entry ${i + 1} is not <tenant>:<key>`);
    else if (bindings.has(key) && bindings.get(key) !== tenant)
      problems.push(`entry ${i + 1} binds a key already bound to tenant ${bindings.get(key)}`);
    else bindings.set(key, tenant);
  });
  return { bindings, problems };
}

/** Split a comma-separated list, dropping blanks. */
export function csv(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
