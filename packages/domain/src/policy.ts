/**
 * Who may do what: role → capabilities, the one scope check, and which case sources a caller may
 * claim. The server checks a route's declared capability against this table before the handler
 * runs (closed by default: a route that declares nothing refuses everyone); the web app builds its
 * navigation from the same table. The one scope check is `inScope(principal, code)` (areas.ts). Per-case rules (which role takes which step of the loop) stay
 * in the case machine (`cases/case-machine.ts`); this module is the coarse gate in front of it.
 *
 * MLPS level 3 separates three administrators (三员分立): `admin` configures the platform,
 * `security` manages users, roles, passwords and sessions, `auditor` reads the audit log. None of
 * them holds another's capabilities, and `security` and `auditor` do no case work.
 */
import type { CaseSource } from './cases/sources.ts';
import type { GrantKind } from './grants.ts';
import type { Role } from './roles.ts';

export const capabilities = [
  /** Every signed-in user: who am I, log out. */
  'session',
  /** Cases in scope, the event stream, photos attached to them. */
  'cases:read',
  /** Report a case, upload a photo. */
  'cases:report',
  /** Take steps of the loop (the case machine says which). */
  'cases:act',
  /** What case work reads: categories, loop settings, locate, dispatch proposals, device types. */
  'catalogue:read',
  /** The responsibility matrix (who gets which category where). */
  'matrix:read',
  /** Devices, readings, rules and alarms in scope. */
  'iot:read',
  'alarms:ack',
  /** Ingestion counters. */
  'ingest:read',
  /** City vital signs. */
  'vitals:read',
  /** 综合评价: indicators, exports, spot checks. */
  'assessment:read',
  'spot-checks:read',
  'spot-checks:draw',
  'spot-checks:record',
  /** 综合指挥屏. */
  'command:view',
  'patrol:upload',
  'patrol:read',
  /** Areas and departments as a directory (pick a scope or a department for a user). */
  'directory:read',
  /** Configuration: catalogue, calendar, matrix, devices, rules, vital signs, imports, Open311 apps. */
  'config:write',
  /** Users, roles, passwords, sessions (安全管理员). */
  'users:manage',
  /** The audit log (审计管理员). */
  'audit:read',
  /** A citizen reporter's name and contact in full, to call back (each showing audited). */
  'pii:reveal',
  /** 值班值守: who is on duty, the rosters and the duty log. */
  'duty:read',
  /** Write the duty log, hand a shift over (交接班). */
  'duty:log',
  /** Arrange the rosters (排班). */
  'duty:manage',
  /** 应急指挥: incidents, plans, resources in scope. */
  'emergency:read',
  /** Open an incident, link cases and alarms, send reports, dispatch resources, finish SOP tasks. */
  'emergency:act',
  /** Activate a plan, change an incident's level, stand down (a leader's call). */
  'emergency:command',
  /** Plans and resources as data (预案, 队伍, 物资, 专家, 避难场所). */
  'emergency:manage',
] as const;
export type Capability = (typeof capabilities)[number];

/**
 * A route machines call: a service account holding `grant` (`share` = any `share:<dataset>`;
 * the route then checks which dataset, and the account's area scope, on the object), or, when
 * `or` names a capability, also a signed-in user whose role holds it. Users are refused such a
 * route otherwise, and service accounts are refused every route that names a capability only.
 */
export interface ServiceAccess {
  readonly grant: GrantKind;
  readonly or?: Capability;
}

/** What a route declares: open to anyone, the capability a caller needs, or a service grant. */
export type Access = 'public' | Capability | ServiceAccess;

export function isServiceAccess(access: Access | undefined): access is ServiceAccess {
  return typeof access === 'object' && access !== null && 'grant' in access;
}

const caseWork = ['session', 'cases:read', 'cases:report', 'cases:act', 'catalogue:read'] as const;

export const roleCapabilities: Readonly<Record<Role, readonly Capability[]>> = {
  // The administrator configures; it keeps the command centre's case steps to repair a case
  // (case-machine.ts), and reads what configuration needs to be checked against.
  admin: [
    ...caseWork,
    'config:write',
    'directory:read',
    'matrix:read',
    'iot:read',
    'alarms:ack',
    'ingest:read',
    'vitals:read',
    'assessment:read',
    'spot-checks:read',
    'spot-checks:draw',
    'spot-checks:record',
    'command:view',
    'patrol:read',
    'duty:read',
    'duty:manage',
    'emergency:read',
    'emergency:manage',
  ],
  security: ['session', 'users:manage', 'directory:read'],
  auditor: ['session', 'audit:read'],
  leader: [
    ...caseWork,
    'matrix:read',
    'iot:read',
    'alarms:ack',
    'ingest:read',
    'vitals:read',
    'assessment:read',
    'spot-checks:read',
    'spot-checks:draw',
    'command:view',
    'patrol:read',
    'pii:reveal',
    'duty:read',
    'duty:log',
    'duty:manage',
    'emergency:read',
    'emergency:act',
    'emergency:command',
  ],
  operator: [
    ...caseWork,
    'pii:reveal',
    'matrix:read',
    'iot:read',
    'alarms:ack',
    'vitals:read',
    'assessment:read',
    'spot-checks:read',
    'spot-checks:draw',
    'spot-checks:record',
    'duty:read',
    'duty:log',
    'emergency:read',
    'emergency:act',
    'emergency:manage',
  ],
  dispatcher: [
    ...caseWork,
    'pii:reveal',
    'matrix:read',
    'iot:read',
    'alarms:ack',
    'vitals:read',
    'assessment:read',
    'spot-checks:read',
    'command:view',
    'patrol:read',
    'duty:read',
    'duty:log',
    'emergency:read',
    'emergency:act',
  ],
  // A department finishes the SOP tasks given to it (emergency.service.ts checks the department).
  handler: [
    ...caseWork,
    'iot:read',
    'alarms:ack',
    'vitals:read',
    'duty:read',
    'emergency:read',
    'emergency:act',
  ],
  // An inspector reads their own tracks only (patrol.service.ts).
  inspector: [
    ...caseWork,
    'iot:read',
    'vitals:read',
    'spot-checks:read',
    'spot-checks:record',
    'patrol:upload',
    'patrol:read',
  ],
};

/** Whoever is asking: a role and the area it sees. */
export interface Subject {
  readonly role: Role;
  readonly scopeCode: string;
}

/** Whether a user's role may call what is declared (a service grant only through its `or`). */
export function can(who: Role | Pick<Subject, 'role'>, capability: Capability | ServiceAccess): boolean {
  const role = typeof who === 'string' ? who : who.role;
  if (typeof capability === 'object') return capability.or !== undefined && can(role, capability.or);
  return roleCapabilities[role]?.includes(capability) ?? false;
}

/** The roles holding a capability (for messages and the web app's menus). */
export function rolesWith(capability: Capability): Role[] {
  return (Object.keys(roleCapabilities) as Role[]).filter((r) => can(r, capability));
}

/**
 * Sources a signed-in person may report as; the first is the default. Machine sources (`iot`,
 * `camera`) are filed and dispatched without a person, and `higher-platform` carries another
 * platform's authority: they come only through their own channels (the rule engine, the camera and
 * federation endpoints), never from a claim in a report. The command centre keeps `hotline` while
 * its desk is where 12345 calls are typed in (docs/decisions.md).
 */
export const reportableSources: Readonly<Record<Role, readonly CaseSource[]>> = {
  admin: ['hotline', 'public', 'department', 'leader'],
  security: [],
  auditor: [],
  leader: ['leader'],
  operator: ['hotline', 'public', 'department', 'leader'],
  dispatcher: ['hotline', 'public', 'department', 'leader'],
  handler: ['department'],
  inspector: ['inspector'],
};

/**
 * The source a report gets: the caller's default when none is claimed, the claim when the role may
 * make it, else `undefined` (the server answers 403).
 */
export function sourceFor(role: Role, claimed?: string): CaseSource | undefined {
  const allowed = reportableSources[role] ?? [];
  if (claimed === undefined) return allowed[0];
  return allowed.find((s) => s === claimed);
}
