import { timingSafeEqual, createHash } from 'node:crypto';
import { PermissionDeniedError, UnauthenticatedError } from '@nethical/platform';

/** Who may call what: agents need an API key, operators an admin key. Open when no keys are set. */
export type AccessLevel = 'public' | 'agent' | 'operator';

const digest = (s: string) => createHash('sha256').update(s).digest();

export interface Authenticator {
  check(level: AccessLevel, headers: { get(name: string): string | null | undefined }): void;
  readonly open: { agent: boolean; operator: boolean };
}

/** Constant-time API key check from `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function createAuthenticator(agentKeys: string[], adminKeys: string[]): Authenticator {
  const agent = agentKeys.map(digest);
  const admin = adminKeys.map(digest);
  const matches = (keys: Buffer[], presented: string) => {
    const d = digest(presented);
    let ok = false;
    for (const k of keys) ok = timingSafeEqual(k, d) || ok;
    return ok;
  };
  return {
    open: { agent: agent.length === 0, operator: admin.length === 0 },
    check(level, headers) {
      if (level === 'public') return;
      const keys = level === 'agent' ? [...agent, ...admin] : admin;
      if (keys.length === 0) return;
      const auth = headers.get('authorization') ?? '';
      const presented = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : (headers.get('x-api-key') ?? '');
      if (!presented) throw new UnauthenticatedError('missing API key: send Authorization: Bearer <key> or x-api-key');
      if (!matches(keys, presented)) {
        if (level === 'operator' && matches(agent, presented)) {
          throw new PermissionDeniedError('this key may not call operator routes');
        }
        throw new UnauthenticatedError('invalid API key');
      }
    },
  };
}
