import type { User } from '../api/client.ts';

/** What survives a page reload: the bearer token and who it belongs to. */
export interface Session {
  token: string;
  expiresAt: string;
  user: User;
  /** The account must enrol a second factor before this session can do anything else. */
  enrol?: boolean;
}

const storageKey = 'onegrid.session';

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Session>;
  return (
    typeof v.token === 'string' &&
    typeof v.expiresAt === 'string' &&
    typeof v.user === 'object' &&
    v.user !== null &&
    typeof v.user.username === 'string'
  );
}

/** The stored session, unless it is missing, malformed or past its expiry. */
export function loadSession(now = Date.now()): Session | null {
  try {
    const raw = localStorage.getItem(storageKey);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (!isSession(parsed) || Date.parse(parsed.expiresAt) <= now) {
      localStorage.removeItem(storageKey);
      return null;
    }
    return parsed;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  try {
    localStorage.setItem(storageKey, JSON.stringify(session));
  } catch {
    // Without storage the session lasts as long as the tab.
  }
}

export function clearSession(): void {
  try {
    localStorage.removeItem(storageKey);
  } catch {
    // Nothing stored.
  }
}
