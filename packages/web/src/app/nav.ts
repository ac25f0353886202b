import type { Role } from '@onegrid/domain';
import type { MessageKey } from '../i18n/i18n.tsx';
import type { IconName } from './icons.tsx';

export type ScreenId =
  | 'map'
  | 'intake'
  | 'inspector'
  | 'dispatch'
  | 'handling'
  | 'command'
  | 'iot'
  | 'assessment'
  | 'admin';

export interface NavItem {
  id: ScreenId;
  label: MessageKey;
  icon: IconName;
  /** Screens that are not built yet show greyed out, so the shape of the product is visible. */
  ready: boolean;
  /** Who sees the screen in the navigation (all when absent). */
  roles?: readonly Role[];
}

export const navItems: readonly NavItem[] = [
  { id: 'intake', label: 'nav.intake', icon: 'inbox', ready: true, roles: ['operator', 'admin'] },
  {
    id: 'dispatch',
    label: 'nav.dispatch',
    icon: 'send',
    ready: true,
    roles: ['dispatcher', 'leader', 'admin'],
  },
  { id: 'handling', label: 'nav.handling', icon: 'cases', ready: true, roles: ['handler'] },
  { id: 'inspector', label: 'nav.inspector', icon: 'pin', ready: true, roles: ['inspector'] },
  { id: 'map', label: 'nav.map', icon: 'map', ready: true },
  {
    id: 'command',
    label: 'nav.command',
    icon: 'command',
    ready: true,
    roles: ['leader', 'admin', 'dispatcher'],
  },
  {
    id: 'iot',
    label: 'nav.iot',
    icon: 'iot',
    ready: true,
    roles: ['operator', 'dispatcher', 'handler', 'leader', 'admin'],
  },
  {
    id: 'assessment',
    label: 'nav.assessment',
    icon: 'assessment',
    ready: true,
    roles: ['leader', 'admin', 'operator', 'dispatcher'],
  },
  { id: 'admin', label: 'nav.admin', icon: 'admin', ready: true, roles: ['admin'] },
];

export function navFor(role: Role): NavItem[] {
  return navItems.filter((i) => !i.roles || i.roles.includes(role));
}

/** Where each role starts. */
export function homeScreen(role: Role): ScreenId {
  if (role === 'operator') return 'intake';
  if (role === 'dispatcher' || role === 'leader') return 'dispatch';
  if (role === 'handler') return 'handling';
  if (role === 'inspector') return 'inspector';
  return 'map';
}

export type Route = { screen: ScreenId } | { screen: 'case'; id: number };

/**
 * The address: `#/intake`, `#/dispatch`, `#/handling`, `#/cases/{id}`; the map keeps its own view
 * in `#map=zoom/lat/lng`. Anything else is the role's home screen.
 */
export function parseRoute(hash: string, role: Role): Route {
  const h = hash.replace(/^#/, '');
  const c = /^\/cases\/(\d+)/.exec(h);
  if (c?.[1]) return { screen: 'case', id: Number(c[1]) };
  if (h.startsWith('map')) return { screen: 'map' };
  const s = /^\/([a-z]+)/.exec(h)?.[1];
  const item = navFor(role).find((i) => i.id === s && i.ready);
  return { screen: item ? item.id : homeScreen(role) };
}
