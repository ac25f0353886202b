import { AuthProvider, useAuth } from '../auth/auth.tsx';
import { LoginPage, ReloginDialog } from '../auth/LoginPage.tsx';
import { I18nProvider, useT } from '../i18n/i18n.tsx';
import { Shell } from './Shell.tsx';

function Root() {
  const { state } = useAuth();
  const t = useT();
  if (state.status === 'checking') return <div className="page-loading">{t('app.loading')}</div>;
  if (state.status === 'anonymous') return <LoginPage />;
  const { user } = state.session;
  return (
    <>
      {/* Keyed by user: another account logging in over an expired session starts afresh. */}
      <Shell key={user.id} user={user} />
      {state.expired && <ReloginDialog username={user.username} />}
    </>
  );
}

export function App() {
  return (
    <I18nProvider>
      <AuthProvider>
        <Root />
      </AuthProvider>
    </I18nProvider>
  );
}
