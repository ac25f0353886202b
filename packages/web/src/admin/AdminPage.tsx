/**
 * 系统管理: the administrator's screens, one tab each, addressed as `#/admin/<tab>`.
 */
import { type Capability, can } from '@onegrid/domain';
import { lazy, Suspense, useEffect, useState } from 'react';
import type { User } from '../api/client.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { CalendarTab } from './CalendarTab.tsx';
import { CatalogTab } from './CatalogTab.tsx';
import { CategoriesTab } from './CategoriesTab.tsx';
import { DepartmentsTab } from './DepartmentsTab.tsx';
import { DevicesTab } from './DevicesTab.tsx';
import { FederationTab } from './FederationTab.tsx';
import { ImportTab } from './ImportTab.tsx';
import { ServiceAccountsTab } from './ServiceAccountsTab.tsx';
import { UsersTab } from './UsersTab.tsx';
import '../cases/cases.css';
import './admin.css';

// The matrix tester carries a map: MapLibre loads with that tab only.
const MatrixTab = lazy(() => import('./MatrixTab.tsx'));

export const adminTabs = [
  'categories',
  'calendar',
  'departments',
  'matrix',
  'users',
  'serviceAccounts',
  'catalog',
  'import',
  'devices',
  'federation',
] as const;
export type AdminTab = (typeof adminTabs)[number];

const labels: Record<AdminTab, MessageKey> = {
  categories: 'admin.tab.categories',
  calendar: 'admin.tab.calendar',
  departments: 'admin.tab.departments',
  matrix: 'admin.tab.matrix',
  users: 'admin.tab.users',
  serviceAccounts: 'admin.tab.serviceAccounts',
  catalog: 'admin.tab.catalog',
  import: 'admin.tab.import',
  devices: 'admin.tab.devices',
  federation: 'admin.tab.federation',
};

/** Users are the security administrator's (三员分立); every other tab is configuration. */
const needs: Record<AdminTab, Capability> = {
  categories: 'config:write',
  calendar: 'config:write',
  departments: 'config:write',
  matrix: 'config:write',
  users: 'users:manage',
  serviceAccounts: 'users:manage',
  catalog: 'directory:read',
  import: 'config:write',
  devices: 'config:write',
  federation: 'config:write',
};

function tabOf(hash: string, tabs: readonly AdminTab[]): AdminTab {
  const m = /^#\/admin\/([A-Za-z]+)/.exec(hash)?.[1];
  return (tabs as readonly string[]).includes(m ?? '') ? (m as AdminTab) : (tabs[0] ?? 'categories');
}

const tabsFor = (role: User['role']) => adminTabs.filter((id) => can(role, needs[id]));

export default function AdminPage({ user }: { user: User }) {
  const { t } = useI18n();
  const tabs = tabsFor(user.role);
  const [tab, setTab] = useState<AdminTab>(() => tabOf(window.location.hash, tabs));
  useEffect(() => {
    const on = () => setTab(tabOf(window.location.hash, tabsFor(user.role)));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, [user.role]);
  return (
    <div className="admin" data-testid="admin">
      <header className="wb-head">
        <h1 className="wb-title">{t('nav.admin')}</h1>
        <div className="wb-tabs" role="tablist">
          {tabs.map((id) => (
            <button
              key={id}
              type="button"
              role="tab"
              className="wb-tab"
              aria-selected={tab === id}
              data-tab={id}
              onClick={() => {
                window.location.hash = `/admin/${id}`;
              }}
            >
              {t(labels[id])}
            </button>
          ))}
        </div>
      </header>
      <div className="admin__body">
        <Suspense fallback={<div className="page-loading">{t('app.loading')}</div>}>
          {tab === 'categories' && <CategoriesTab scope={user.scopeCode} />}
          {tab === 'calendar' && <CalendarTab scope={user.scopeCode} />}
          {tab === 'departments' && <DepartmentsTab />}
          {tab === 'matrix' && <MatrixTab />}
          {tab === 'users' && <UsersTab />}
          {tab === 'serviceAccounts' && <ServiceAccountsTab />}
          {tab === 'catalog' && <CatalogTab />}
          {tab === 'import' && <ImportTab />}
          {tab === 'devices' && <DevicesTab />}
          {tab === 'federation' && <FederationTab scope={user.scopeCode} />}
        </Suspense>
      </div>
    </div>
  );
}
