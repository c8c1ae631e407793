/**
 * Keys the person enters: kept in sessionStorage (gone when the tab closes), never in the URL.
 * The pinned verifier key is in localStorage: it is public, and pinning it is the point.
 */
export interface Settings {
  apiKey: string;
  adminKey: string;
  pinnedVerifierKey: string;
}

const session = { apiKey: 'nethical.apiKey', adminKey: 'nethical.adminKey' } as const;
const PINNED = 'nethical.verifierKey';

export function loadSettings(): Settings {
  return {
    apiKey: sessionStorage.getItem(session.apiKey) ?? '',
    adminKey: sessionStorage.getItem(session.adminKey) ?? '',
    pinnedVerifierKey: localStorage.getItem(PINNED) ?? '',
  };
}

export function saveSettings(s: Settings): void {
  sessionStorage.setItem(session.apiKey, s.apiKey);
  sessionStorage.setItem(session.adminKey, s.adminKey);
  if (s.pinnedVerifierKey) localStorage.setItem(PINNED, s.pinnedVerifierKey);
  else localStorage.removeItem(PINNED);
}

/**
 * Whether operator calls can succeed: with the admin key, or with no key at all (a gateway
 * without keys is open). With only an API key they would be refused; the views do not try
 * (a refused call is also an error line in the browser's console).
 */
export const mayReadRecords = (s: Settings) => Boolean(s.adminKey) || !s.apiKey;
