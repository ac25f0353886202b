import { can, roleNames } from '@onegrid/domain';
import { lazy, Suspense, useEffect, useState } from 'react';
import type { User } from '../api/client.ts';
import { useAuth } from '../auth/auth.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { Bell } from '../notify/Bell.tsx';
import { Icon } from './icons.tsx';
import { LangSwitch } from './LangSwitch.tsx';
import { Logo } from './Logo.tsx';
import { navFor, parseRoute, type Route, type ScreenId } from './nav.ts';
import './shell.css';

// MapLibre is the heaviest dependency: it loads with the map screen, not with the login page.
const MapPage = lazy(() => import('../map/MapPage.tsx'));
const CaseDetailPage = lazy(() => import('../cases/CaseDetail.tsx'));
// The command screen takes the whole screen (a video wall): no top bar, no side navigation.
const CommandPage = lazy(() => import('../command/CommandPage.tsx'));
const AdminPage = lazy(() => import('../admin/AdminPage.tsx'));
const InspectorApp = lazy(() => import('../inspector/InspectorApp.tsx'));
const AssessmentPage = lazy(() => import('../assessment/AssessmentPage.tsx'));
const IotPage = lazy(() => import('../iot/IotPage.tsx'));
const EmergencyPage = lazy(() => import('../emergency/EmergencyPage.tsx'));
const AuditPage = lazy(() => import('../audit/AuditPage.tsx'));
const IntakeWorkbench = lazy(() =>
  import('../cases/screens.tsx').then((m) => ({ default: m.IntakeWorkbench })),
);
const DispatchWorkbench = lazy(() =>
  import('../cases/screens.tsx').then((m) => ({ default: m.DispatchWorkbench })),
);
const HandlingWorkbench = lazy(() =>
  import('../cases/screens.tsx').then((m) => ({ default: m.HandlingWorkbench })),
);

function useRoute(role: User['role']): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return parseRoute(hash, role);
}

function TopBar({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const { logout } = useAuth();
  return (
    <header className="topbar">
      <div className="topbar__brand">
        <Logo />
        <span className="topbar__subtitle">{t('app.subtitle')}</span>
      </div>
      <div className="topbar__actions">
        <div className="topbar__user" data-testid="current-user">
          <span className="avatar" aria-hidden="true">
            <Icon name="user" size={16} />
          </span>
          <span className="topbar__user-text">
            <span className="topbar__user-name">{user.displayName}</span>
            <span className="role-badge">{roleNames[user.role][lang]}</span>
          </span>
        </div>
        {can(user.role, 'cases:read') && <Bell />}
        <LangSwitch />
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => void logout()}
          aria-label={t('auth.logout')}
          title={t('auth.logout')}
          data-testid="logout"
        >
          <Icon name="logout" size={18} />
          <span className="hide-narrow">{t('auth.logout')}</span>
        </button>
      </div>
    </header>
  );
}

function SideNav({
  user,
  current,
  onSelect,
}: {
  user: User;
  current: ScreenId | 'case';
  onSelect(id: ScreenId): void;
}) {
  const { t } = useI18n();
  return (
    <nav className="sidenav" aria-label={t('nav.label')}>
      <ul>
        {navFor(user.role).map((item) => (
          <li key={item.id}>
            <button
              type="button"
              className="sidenav__item"
              aria-current={item.id === current ? 'page' : undefined}
              data-nav={item.id}
              disabled={!item.ready}
              title={item.ready ? t(item.label) : `${t(item.label)} · ${t('nav.soon')}`}
              onClick={() => onSelect(item.id)}
            >
              <Icon name={item.icon} size={20} />
              <span className="sidenav__label">{t(item.label)}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function Shell({ user }: { user: User }) {
  const { t } = useI18n();
  const route = useRoute(user.role);
  const select = (id: ScreenId) => {
    window.location.hash = id === 'map' ? 'map' : `/${id}`;
  };
  // The command screen is bare (no top bar, no navigation) but stays in the same tree: returning a
  // different root for it made React remount the whole shell, and the map with it, on login.
  const bare = route.screen === 'command';
  return (
    <div className={bare ? 'shell shell--bare' : 'shell'}>
      {!bare && <TopBar user={user} />}
      {!bare && <SideNav user={user} current={route.screen} onSelect={select} />}
      <main className="shell__main">
        <Suspense fallback={<div className="page-loading">{t('app.loading')}</div>}>
          {route.screen === 'command' && <CommandPage />}
          {route.screen === 'map' && <MapPage />}
          {route.screen === 'intake' && <IntakeWorkbench />}
          {route.screen === 'dispatch' && <DispatchWorkbench />}
          {route.screen === 'handling' && <HandlingWorkbench />}
          {route.screen === 'case' && <CaseDetailPage key={route.id} id={route.id} />}
          {route.screen === 'admin' && <AdminPage user={user} />}
          {route.screen === 'inspector' && <InspectorApp user={user} />}
          {route.screen === 'assessment' && <AssessmentPage user={user} />}
          {route.screen === 'iot' && <IotPage user={user} />}
          {route.screen === 'audit' && <AuditPage />}
          {route.screen === 'emergency' && <EmergencyPage user={user} />}
        </Suspense>
      </main>
    </div>
  );
}
