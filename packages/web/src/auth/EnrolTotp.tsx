/**
 * 绑定身份验证器: an administrator whose role needs a second factor sees this right after logging
 * in, until the authenticator app is enrolled (the server refuses everything else meanwhile).
 */
import { type FormEvent, useEffect, useId, useState } from 'react';
import { ApiError, api, unwrap } from '../api/client.ts';
import { LangSwitch } from '../app/LangSwitch.tsx';
import { Logo } from '../app/Logo.tsx';
import { useT } from '../i18n/i18n.tsx';
import { useAuth } from './auth.tsx';
import './login.css';

interface Enrolment {
  secret: string;
  otpauthUrl: string;
  qrSvg: string;
}

export function EnrolTotp() {
  const t = useT();
  const { enrolled, logout } = useAuth();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  useEffect(() => {
    let live = true;
    unwrap(api.POST('/api/v1/auth/totp'))
      .then((e) => live && setEnrolment(e))
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, []);

  async function confirm(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.POST('/api/v1/auth/totp/confirm', { body: { code: code.trim() } }));
      enrolled();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 400 ? t('auth.codeWrong') : String(err));
      setBusy(false);
    }
  }

  return (
    <div className="login-page">
      <div className="login-page__lang">
        <LangSwitch />
      </div>
      <main className="login-card" data-testid="enrol-totp">
        <Logo size="large" />
        <h1 className="login-card__title">{t('auth.enrolTitle')}</h1>
        <p className="login-card__notice">{t('auth.enrolHelp')}</p>
        {enrolment && (
          <>
            {/* The QR code is an SVG the server drew from the otpauth:// URL (no script in it). */}
            <div
              className="login-card__qr"
              // biome-ignore lint/security/noDangerouslySetInnerHtml: server-generated QR SVG
              dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }}
            />
            <p className="login-card__notice">
              {t('auth.enrolSecret')} <code data-testid="totp-secret">{enrolment.secret}</code>
            </p>
          </>
        )}
        <form className="login-form" onSubmit={(e) => void confirm(e)} noValidate>
          <label className="field" htmlFor={`${id}-c`}>
            <span>{t('auth.code')}</span>
            <input
              id={`${id}-c`}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </label>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <button
            className="btn btn-primary btn-block"
            type="submit"
            disabled={busy || !enrolment || code.trim().length !== 6}
          >
            {t('auth.enrolConfirm')}
          </button>
          <button className="btn btn-outline btn-block" type="button" onClick={() => void logout()}>
            {t('auth.logout')}
          </button>
        </form>
      </main>
    </div>
  );
}
