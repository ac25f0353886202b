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
] as const;
export const demoPassword = 'onegrid-demo';

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
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState('');
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
      await login(username.trim(), password);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 400)) setError(t('auth.failed'));
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
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button className="btn btn-primary btn-block" type="submit" disabled={busy || !username || !password}>
        {busy ? t('auth.submitting') : t('auth.submit')}
      </button>
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
