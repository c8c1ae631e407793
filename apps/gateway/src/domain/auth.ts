import { timingSafeEqual, createHash } from 'node:crypto';
import { PermissionDeniedError, UnauthenticatedError } from '@nethical/platform';

/** Who may call what: agents need an API key, operators an admin key. Open when no keys are set. */
export type AccessLevel = 'public' | 'agent' | 'operator';

const digest = (s: string) => createHash('sha256').update(s).digest();

export interface Authenticator {
  check(level: AccessLevel, headers: { get(name: string): string | null | undefined }): void;
  /** The tenant the presented key is bound to (`NETHICAL_API_KEY_TENANTS`), if any. */
  tenantOf(header: (name: string) => string | null | undefined): string | undefined;
  readonly open: { agent: boolean; operator: boolean };
}

const presentedKey = (header: (name: string) => string | null | undefined): string => {
  const auth = header('authorization') ?? '';
  return auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : (header('x-api-key') ?? '');
};

/** Constant-time API key check from `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function createAuthenticator(
  agentKeys: string[],
  adminKeys: string[],
  /** Keys bound to a tenant (key → tenant); they are agent keys too. */
  tenantKeys: ReadonlyMap<string, string> = new Map(),
): Authenticator {
  const agent = [...agentKeys, ...tenantKeys.keys()].map(digest);
  // By digest, so a look-up compares hashes, never the secret itself.
  const tenantByDigest = new Map([...tenantKeys].map(([key, tenant]) => [digest(key).toString('hex'), tenant]));
  const admin = adminKeys.map(digest);
  const matches = (keys: Buffer[], presented: string) => {
    const d = digest(presented);
    let ok = false;
    for (const k of keys) ok = timingSafeEqual(k, d) || ok;
    return ok;
  };
  return {
    open: { agent: agent.length === 0, operator: admin.length === 0 },
    tenantOf(header) {
      if (tenantByDigest.size === 0) return undefined;
      const key = presentedKey(header);
      return key ? tenantByDigest.get(digest(key).toString('hex')) : undefined;
    },
    check(level, headers) {
      if (level === 'public') return;
      const keys = level === 'agent' ? [...agent, ...admin] : admin;
      if (keys.length === 0) return;
      const presented = presentedKey((name) => headers.get(name));
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
