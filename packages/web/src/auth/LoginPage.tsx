import { LangSwitch } from '../app/LangSwitch.tsx';
import { Logo } from '../app/Logo.tsx';
import { useT } from '../i18n/i18n.tsx';
import { LoginForm } from './LoginForm.tsx';
import './login.css';

export function LoginPage() {
  const t = useT();
  return (
    <div className="login-page">
      <div className="login-page__lang">
        <LangSwitch />
      </div>
      <main className="login-card">
        <Logo size="large" />
        <p className="login-card__subtitle">{t('app.subtitle')}</p>
        <h1 className="login-card__title">{t('auth.title')}</h1>
        <LoginForm />
      </main>
      <footer className="login-page__footer">
        {t('auth.footer')} ·{' '}
        <a href="#/report" className="login-page__citizen" data-testid="citizen-link">
          {t('citizen.tabReport')} / {t('citizen.tabTrack')}
        </a>
      </footer>
    </div>
  );
}

/** Shown over the page when the session ends mid-work; the page underneath keeps its state. */
export function ReloginDialog({ username }: { username: string }) {
  const t = useT();
  return (
    <div className="modal-backdrop">
      <div
        className="login-card login-card--dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="relogin-title"
      >
        <h1 id="relogin-title" className="login-card__title">
          {t('auth.title')}
        </h1>
        <p className="login-card__notice" role="status">
          {t('auth.expired')}
        </p>
        <LoginForm initialUsername={username} />
      </div>
    </div>
  );
}
