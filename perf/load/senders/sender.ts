import type { LoadAction } from '../action-generator';

/** Wire protocols the generator speaks. */
export const protocols = ['http', 'grpc', 'connect'] as const;
export type Protocol = (typeof protocols)[number];

/**
 * What came back for one request. `status` is the HTTP status code ("200", "429"), the
 * gRPC/Connect code name ("OK", "ResourceExhausted"), or a client-side outcome: "timeout",
 * "network" (connection refused/reset), "dropped" (in-flight cap reached, never sent).
 */
export interface SendOutcome {
  ok: boolean;
  status: string;
  /** Short error text; empty when ok. */
  error: string;
  /** Decision name without the `DECISION_` prefix (`ALLOW`, `BLOCK`, …); empty on error. */
  decision: string;
  violationDetected: boolean;
}

/** Sends actions over one protocol, with its own connection pool. */
export interface ActionSender {
  send(action: LoadAction, context: Record<string, string>): Promise<SendOutcome>;
  close(): Promise<void>;
}

/** Normalise `DECISION_ALLOW` / `allow` / `ALLOW` to `ALLOW`. */
export function decisionName(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value.toUpperCase().replace(/^DECISION_/, '');
}

/** True when the gateway judged the action as anything but a plain allow. */
export function isViolation(decision: string, violations: number): boolean {
  return violations > 0 || (decision !== '' && decision !== 'ALLOW');
}

/** Map a thrown client error to `timeout` / `network` / `error` with a short message. */
export function classifyFailure(error: unknown): Pick<SendOutcome, 'status' | 'error'> {
  const e = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const name = typeof e?.name === 'string' ? e.name : '';
  if (name === 'TimeoutError' || name === 'AbortError' || /TIMEOUT/.test(code)) {
    return { status: 'timeout', error: code || name };
  }
  if (/^E[A-Z]+$|SOCKET|UND_ERR/.test(code)) return { status: 'network', error: code };
  const cause = e?.cause as { code?: unknown } | undefined;
  if (cause && typeof cause.code === 'string') return { status: 'network', error: cause.code };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return { status: 'error', error: message.slice(0, 120) };
}
