import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api, onUnauthorized, setToken, unwrap } from '../api/client.ts';
import { clearSession, loadSession, type Session, saveSession } from './session.ts';

/**
 * - `checking`: a stored session is being confirmed with the server;
 * - `anonymous`: nobody is logged in — the login page;
 * - `signedIn` with `expired`: the server said 401 mid-session — the login is shown over the page,
 *   which stays mounted so that nothing the user was doing is lost.
 */
export type AuthState =
  | { status: 'checking' }
  | { status: 'anonymous' }
  | { status: 'signedIn'; session: Session; expired: boolean };

interface Auth {
  state: AuthState;
  /** `code`: the TOTP code, when the server answered `second_factor_required`. */
  login(username: string, password: string, code?: string): Promise<void>;
  /** The second factor is enrolled: the session may now do everything its role may. */
  enrolled(): void;
  logout(): Promise<void>;
  /** Marks the session as ended (a 401 seen outside the API client, e.g. on a map tile). */
  expire(): void;
}

const AuthContext = createContext<Auth | null>(null);

/** `#/oidc/<code>`: back from the identity provider with a one-time hand-off code. */
function takeHandoffCode(): string | null {
  const m = /^#\/oidc\/([\w-]+)$/.exec(window.location.hash);
  if (!m) return null;
  // Out of the address bar and the history at once: the code works once anyway.
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
  return m[1] ?? null;
}

function initialState(): AuthState {
  if (window.location.hash.startsWith('#/oidc/')) return { status: 'checking' };
  const stored = loadSession();
  if (!stored) return { status: 'anonymous' };
  setToken(stored.token);
  return { status: 'checking' };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>(initialState);

  const expire = useCallback(() => {
    setState((s) => (s.status === 'signedIn' && !s.expired ? { ...s, expired: true } : s));
  }, []);

  useEffect(() => onUnauthorized(expire), [expire]);

  // Back from the identity provider: exchange the hand-off code for a session (by POST).
  useEffect(() => {
    const code = takeHandoffCode();
    if (!code) return;
    unwrap(api.POST('/api/v1/auth/oidc/exchange', { body: { code } }))
      .then((r) => {
        const session: Session = {
          token: r.token,
          expiresAt: r.expiresAt,
          user: r.user,
          enrol: r.secondFactorEnrolmentRequired,
        };
        setToken(session.token);
        saveSession(session);
        setState({ status: 'signedIn', session, expired: false });
      })
      .catch(() => setState({ status: 'anonymous' }));
  }, []);

  // Confirm a stored session once; the server may have ended it (logout elsewhere, restart with new data).
  useEffect(() => {
    if (state.status !== 'checking' || window.location.hash.startsWith('#/oidc/')) return;
    const stored = loadSession();
    if (!stored) {
      setState({ status: 'anonymous' });
      return;
    }
    unwrap(api.GET('/api/v1/auth/me'))
      .then((user) => {
        const session = { ...stored, user };
        saveSession(session);
        setState({ status: 'signedIn', session, expired: false });
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) {
          clearSession();
          setToken(null);
          setState({ status: 'anonymous' });
        } else {
          // Server unreachable for a moment: keep the session; calls will say what is wrong.
          setState({ status: 'signedIn', session: stored, expired: false });
        }
      });
  }, [state.status]);

  const login = useCallback(async (username: string, password: string, code?: string) => {
    const r = await unwrap(
      api.POST('/api/v1/auth/login', { body: { username, password, ...(code ? { code } : {}) } }),
    );
    const session: Session = {
      token: r.token,
      expiresAt: r.expiresAt,
      user: r.user,
      enrol: r.secondFactorEnrolmentRequired,
    };
    setToken(session.token);
    saveSession(session);
    setState({ status: 'signedIn', session, expired: false });
  }, []);

  const logout = useCallback(async () => {
    try {
      await unwrap(api.POST('/api/v1/auth/logout'));
    } catch {
      // Logged out locally in any case; an expired token is already unusable.
    }
    setToken(null);
    clearSession();
    setState({ status: 'anonymous' });
  }, []);

  const enrolled = useCallback(() => {
    setState((s) => {
      if (s.status !== 'signedIn') return s;
      const session = { ...s.session, enrol: false };
      saveSession(session);
      return { ...s, session };
    });
  }, []);

  const value = useMemo(
    () => ({ state, login, logout, expire, enrolled }),
    [state, login, logout, expire, enrolled],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside <AuthProvider>');
  return ctx;
}
