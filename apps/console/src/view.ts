import { Code, ConnectError } from '@connectrpc/connect';
import type { Clients } from './clients';
import { h } from './dom';
import type { Settings } from './settings';

/** The views, in navigation order. */
export const viewIds = ['try', 'audit', 'verify', 'operations'] as const;
export type ViewId = (typeof viewIds)[number];

/** What every view gets from the shell. */
export interface ViewContext {
  clients: Clients;
  settings: () => Settings;
  /** Go to another view with parameters (kept in the URL hash). */
  navigate: (view: ViewId, params?: Record<string, string>) => void;
  /** Remember a verifier key the person trusts (localStorage). */
  setPinnedKey: (key: string) => void;
  /** Announce a status to screen readers (polite live region). */
  announce: (message: string) => void;
}

/** A mounted view; `stop` ends timers and pending work when the person leaves it. */
export interface View {
  title: string;
  render(root: HTMLElement, params: URLSearchParams): void;
  stop?(): void;
}

/** An error as the person should read it: the Connect code and the gateway's safe message. */
export function errorBox(err: unknown): HTMLElement {
  const ce = ConnectError.from(err);
  const hint =
    ce.code === Code.Unauthenticated || ce.code === Code.PermissionDenied
      ? ' Enter a key under “Keys” (operator views need the admin key).'
      : '';
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('strong', {}, `${Code[ce.code] ?? ce.code}: `),
    ce.rawMessage,
    hint,
  );
}
