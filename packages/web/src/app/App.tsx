import { lazy, Suspense, useEffect, useState } from 'react';
import { Toaster } from 'sonner';
import { AuthProvider, useAuth } from '../auth/auth.tsx';
import { EnrolTotp } from '../auth/EnrolTotp.tsx';
import { LoginPage, ReloginDialog } from '../auth/LoginPage.tsx';
import { I18nProvider, useT } from '../i18n/i18n.tsx';
import { type PublicRoute, parsePublicRoute } from '../public/route.ts';
import { Shell } from './Shell.tsx';

// The citizen pages need no login and load on their own (with the map for the pin).
const PublicApp = lazy(() => import('../public/PublicApp.tsx'));

function usePublicRoute(): PublicRoute | null {
  const [route, setRoute] = useState(() =>
    parsePublicRoute(window.location.pathname, window.location.hash, window.location.search),
  );
  useEffect(() => {
    const on = () =>
      setRoute(parsePublicRoute(window.location.pathname, window.location.hash, window.location.search));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Root() {
  const { state } = useAuth();
  const t = useT();
  if (state.status === 'checking') return <div className="page-loading">{t('app.loading')}</div>;
  if (state.status === 'anonymous') return <LoginPage />;
  const { user } = state.session;
  if (state.session.enrol) return <EnrolTotp />;
  return (
    <>
      {/* Keyed by user: another account logging in over an expired session starts afresh. */}
      <Shell key={user.id} user={user} />
      {state.expired && <ReloginDialog username={user.username} />}
    </>
  );
}

export function App() {
  const publicRoute = usePublicRoute();
  if (publicRoute) {
    return (
      <I18nProvider>
        <Suspense fallback={null}>
          <PublicApp route={publicRoute} />
        </Suspense>
      </I18nProvider>
    );
  }
  return (
    <I18nProvider>
      <AuthProvider>
        <Root />
        <Toaster position="top-center" richColors closeButton duration={3500} />
      </AuthProvider>
    </I18nProvider>
  );
}
