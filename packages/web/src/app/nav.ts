import { type Capability, can, type Role } from '@onegrid/domain';
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
  | 'emergency'
  | 'admin'
  | 'audit';

export interface NavItem {
  id: ScreenId;
  label: MessageKey;
  icon: IconName;
  /** Screens that are not built yet show greyed out, so the shape of the product is visible. */
  ready: boolean;
  /**
   * What the screen needs, from the policy the server enforces (@onegrid/domain policy.ts): the
   * item shows when the role holds any of these capabilities.
   */
  needs: readonly Capability[];
  /** The case workbenches split the loop by job (case-machine.ts): whose desk this is. */
  roles?: readonly Role[];
}

export const navItems: readonly NavItem[] = [
  {
    id: 'intake',
    label: 'nav.intake',
    icon: 'inbox',
    ready: true,
    needs: ['cases:act'],
    roles: ['operator', 'admin'],
  },
  {
    id: 'dispatch',
    label: 'nav.dispatch',
    icon: 'send',
    ready: true,
    needs: ['cases:act'],
    roles: ['dispatcher', 'leader', 'admin'],
  },
  {
    id: 'handling',
    label: 'nav.handling',
    icon: 'cases',
    ready: true,
    needs: ['cases:act'],
    roles: ['handler'],
  },
  { id: 'inspector', label: 'nav.inspector', icon: 'pin', ready: true, needs: ['patrol:upload'] },
  { id: 'map', label: 'nav.map', icon: 'map', ready: true, needs: ['cases:read'] },
  { id: 'command', label: 'nav.command', icon: 'command', ready: true, needs: ['command:view'] },
  // The IoT screen is for those who act on alarms; inspectors read devices in their own app.
  { id: 'iot', label: 'nav.iot', icon: 'iot', ready: true, needs: ['alarms:ack'] },
  {
    id: 'emergency',
    label: 'nav.emergency',
    icon: 'alert',
    ready: true,
    needs: ['emergency:read', 'duty:read'],
  },
  { id: 'assessment', label: 'nav.assessment', icon: 'assessment', ready: true, needs: ['assessment:read'] },
  { id: 'admin', label: 'nav.admin', icon: 'admin', ready: true, needs: ['config:write', 'users:manage'] },
  { id: 'audit', label: 'nav.audit', icon: 'audit', ready: true, needs: ['audit:read'] },
];

export function navFor(role: Role): NavItem[] {
  return navItems.filter((i) => i.needs.some((c) => can(role, c)) && (!i.roles || i.roles.includes(role)));
}

/** Where each role starts. */
export function homeScreen(role: Role): ScreenId {
  if (role === 'operator') return 'intake';
  if (role === 'dispatcher') return 'dispatch';
  // A leader reads the city first (综合指挥屏); the dispatch queue is one click away.
  if (role === 'leader') return 'command';
  if (role === 'handler') return 'handling';
  if (role === 'inspector') return 'inspector';
  // The separated administrators start on the first screen they may use (security: 系统管理's
  // users tab); everyone else on the map.
  if (!can(role, 'cases:read')) return navFor(role)[0]?.id ?? 'map';
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
