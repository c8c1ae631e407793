import type { ServiceImpl } from '@connectrpc/connect';
import { Code, ConnectError } from '@connectrpc/connect';
import { create } from '@bufbuild/protobuf';
import { healthv1 } from '@nethical/contracts';

/**
 * What a component probe says: healthy or not, with a short detail for operators. `degraded`
 * marks a component that works on a fallback (e.g. local state while Redis is down): it keeps
 * the service ready (`ok` stays true) but is reported in `/readyz` and `/health`.
 */
export interface ComponentStatus {
  ok: boolean;
  degraded?: boolean;
  detail?: string;
}

export type ComponentProbe = () => Promise<ComponentStatus> | ComponentStatus;

/**
 * Health as a map of components (envoyproxy/ratelimit style). Ready means started, not
 * shutting down, and every component probe answered ok. Alive means the event loop runs.
 */
export interface Health {
  addComponent(name: string, probe: ComponentProbe): void;
  setStarted(): void;
  setShuttingDown(): void;
  /** Probe every component (bounded by a timeout each). */
  check(): Promise<{ ready: boolean; components: Record<string, ComponentStatus> }>;
  readonly shuttingDown: boolean;
}

export function createHealth(probeTimeoutMs = 1000): Health {
  const probes = new Map<string, ComponentProbe>();
  let started = false;
  let shuttingDown = false;
  const withTimeout = async (probe: ComponentProbe): Promise<ComponentStatus> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve().then(probe),
        new Promise<ComponentStatus>((resolve) => {
          timer = setTimeout(() => resolve({ ok: false, detail: `probe timed out after ${probeTimeoutMs} ms` }), probeTimeoutMs);
        }),
      ]);
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    addComponent: (name, probe) => void probes.set(name, probe),
    setStarted: () => void (started = true),
    setShuttingDown: () => void (shuttingDown = true),
    get shuttingDown() {
      return shuttingDown;
    },
    async check() {
      const entries = await Promise.all(
        [...probes].map(async ([name, probe]) => [name, await withTimeout(probe)] as const),
      );
      const components = Object.fromEntries(entries);
      const ready = started && !shuttingDown && entries.every(([, s]) => s.ok);
      return { ready, components };
    },
  };
}

/** `grpc.health.v1.Health` over a Health: "" and every served service name answer alike. */
export function healthService(
  health: Health,
  serviceNames: string[],
): ServiceImpl<typeof healthv1.Health> {
  const known = new Set(['', ...serviceNames]);
  const status = async (service: string) => {
    if (!known.has(service)) throw new ConnectError(`unknown service ${service}`, Code.NotFound);
    const { ready } = await health.check();
    return ready
      ? healthv1.HealthCheckResponse_ServingStatus.SERVING
      : healthv1.HealthCheckResponse_ServingStatus.NOT_SERVING;
  };
  return {
    async check(req) {
      return create(healthv1.HealthCheckResponseSchema, { status: await status(req.service) });
    },
    async *watch(req, ctx) {
      let last: healthv1.HealthCheckResponse_ServingStatus | undefined;
      while (!ctx.signal.aborted) {
        const now = await status(req.service);
        if (now !== last) {
          last = now;
          yield create(healthv1.HealthCheckResponseSchema, { status: now });
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    async list() {
      const { ready } = await health.check();
      const s = ready
        ? healthv1.HealthCheckResponse_ServingStatus.SERVING
        : healthv1.HealthCheckResponse_ServingStatus.NOT_SERVING;
      return create(healthv1.HealthListResponseSchema, {
        statuses: Object.fromEntries(
          [...known].map((name) => [name, create(healthv1.HealthCheckResponseSchema, { status: s })]),
        ),
      });
    },
  };
}
