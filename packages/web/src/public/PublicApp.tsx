/** The citizen pages (市民服务): report a problem, follow a report; no account needed. */
import { Toaster } from 'sonner';
import { LangSwitch } from '../app/LangSwitch.tsx';
import { Logo } from '../app/Logo.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { ReportPage } from './ReportPage.tsx';
import type { PublicRoute } from './route.ts';
import { TrackPage } from './TrackPage.tsx';
import './public.css';

export default function PublicApp({ route }: { route: PublicRoute }) {
  const { t } = useI18n();
  return (
    <div className="citizen-page">
      <header className="citizen-top">
        <a href="#/report" className="citizen-top__brand">
          <Logo />
          <span>{t('citizen.title')}</span>
        </a>
        <LangSwitch compact />
      </header>
      <nav className="citizen-tabs" aria-label={t('citizen.title')}>
        <a href="#/report" aria-current={route.page === 'report' ? 'page' : undefined}>
          {t('citizen.tabReport')}
        </a>
        <a href="#/track" aria-current={route.page === 'track' ? 'page' : undefined}>
          {t('citizen.tabTrack')}
        </a>
      </nav>
      <main className="citizen-main">
        {route.page === 'report' ? (
          <ReportPage />
        ) : (
          <TrackPage number={route.number} trackKey={route.trackKey} />
        )}
      </main>
      <Toaster position="top-center" richColors closeButton duration={3500} />
      <footer className="citizen-footer">
        {t('citizen.footer')} · <a href="/">{t('citizen.staffLogin')}</a>
      </footer>
    </div>
  );
}
