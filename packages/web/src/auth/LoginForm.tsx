import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ApiError, api, unwrap } from '../api/client.ts';
import { useT } from '../i18n/i18n.tsx';
import { useAuth } from './auth.tsx';

/** The demo city's accounts (CONTRACTS.md); listed only when the server says demo data is loaded. */
export const demoAccounts = [
  'admin',
  'leader',
  'operator',
  'dispatcher',
  'handler',
  'inspector',
  'hp-operator',
  'security',
  'auditor',
] as const;
export const demoPassword = 'onegrid-demo';

/** Whether an organisation's identity provider is configured (a second way to sign in). */
function useOidc(): boolean {
  const [oidc, setOidc] = useState(false);
  useEffect(() => {
    let live = true;
    unwrap(api.GET('/api/v1/auth/methods'))
      .then((m) => live && setOidc(m.oidc))
      .catch(() => {
        // Password only then.
      });
    return () => {
      live = false;
    };
  }, []);
  return oidc;
}

function useDemoLoaded(): boolean {
  const [demo, setDemo] = useState(false);
  useEffect(() => {
    let live = true;
    unwrap(api.GET('/api/v1/health'))
      .then((h) => live && setDemo(h.demo))
      .catch(() => {
        // No hint then; the form works regardless.
      });
    return () => {
      live = false;
    };
  }, []);
  return demo;
}

export function LoginForm({ initialUsername = '' }: { initialUsername?: string }) {
  const t = useT();
  const { login } = useAuth();
  const demo = useDemoLoaded();
  const oidc = useOidc();
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState('');
  // Shown once the server asks for the second factor.
  const [needCode, setNeedCode] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = useId();
  const usernameInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);

  // Start typing where it is needed: the password when the username is known (after an expiry).
  useEffect(() => {
    (initialUsername ? passwordInput : usernameInput).current?.focus();
  }, [initialUsername]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password, needCode ? code.trim() : undefined);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'second_factor_required') {
        if (needCode) setError(t('auth.codeWrong'));
        setNeedCode(true);
        setCode('');
      } else if (err instanceof ApiError && err.code === 'account_locked') setError(t('auth.locked'));
      else if (err instanceof ApiError && err.code === 'rate_limited') {
        const s = (err.details as { retryAfter?: number } | undefined)?.retryAfter ?? 60;
        setError(t('auth.throttled', { s }));
      } else if (err instanceof ApiError && (err.status === 401 || err.status === 400))
        setError(t('auth.failed'));
      else if (err instanceof ApiError && err.code === 'network') setError(t('error.network'));
      else setError(t('error.generic', { message: err instanceof Error ? err.message : String(err) }));
      setBusy(false);
    }
  }

  return (
    <form className="login-form" onSubmit={submit} noValidate>
      <label className="field" htmlFor={`${ids}-u`}>
        <span>{t('auth.username')}</span>
        <input
          id={`${ids}-u`}
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
          ref={usernameInput}
        />
      </label>
      <label className="field" htmlFor={`${ids}-p`}>
        <span>{t('auth.password')}</span>
        <input
          id={`${ids}-p`}
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          ref={passwordInput}
        />
      </label>
      {needCode && (
        <label className="field" htmlFor={`${ids}-c`}>
          <span>{t('auth.code')}</span>
          <input
            id={`${ids}-c`}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            maxLength={6}
            placeholder={t('auth.codeHint')}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            // biome-ignore lint/a11y/noAutofocus: the one thing to type now is the code
            autoFocus
          />
        </label>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button
        className="btn btn-primary btn-block"
        type="submit"
        disabled={busy || !username || !password || (needCode && code.trim().length !== 6)}
      >
        {busy ? t('auth.submitting') : t('auth.submit')}
      </button>
      {oidc && (
        // A full navigation: the provider's pages, then back to `#/oidc/<code>`.
        <a className="btn btn-outline btn-block" href="/api/v1/auth/oidc/start" data-testid="oidc-login">
          {t('auth.oidc')}
        </a>
      )}
      {demo && (
        <section className="demo-accounts">
          <h2>{t('auth.demoTitle', { password: demoPassword })}</h2>
          <ul>
            {demoAccounts.map((name) => (
              <li key={name}>
                <button
                  type="button"
                  className="chip"
                  title={t('auth.demoHint')}
                  onClick={() => {
                    setUsername(name);
                    setPassword(demoPassword);
                  }}
                >
                  {name}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </form>
  );
}
