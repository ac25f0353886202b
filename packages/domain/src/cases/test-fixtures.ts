/**
 * Test fixtures for the case tests (not exported from the package): actors, coherent case
 * snapshots for every (status, pending request) situation, valid sample bodies per action, and a
 * test calendar with the 2026 National Day holiday and its make-up working days.
 */
import { roles } from '../roles.ts';
import { localTime, type WorkingCalendar } from './calendar.ts';
import type { CaseAction, PendingSlot } from './case-machine.ts';
import { type CaseRulesConfig, defaultCaseConfig } from './config.ts';
import { natural, startDeadline, working } from './deadlines.ts';
import { type Decision, decide } from './decide.ts';
import type { CaseSource } from './sources.ts';
import {
  type ActorRole,
  type CaseActor,
  type CaseSnapshot,
  type CaseStatus,
  systemActor,
  zeroCounters,
} from './types.ts';

/** Holidays 2026-10-01..07; make-up working days Sunday 2026-09-27 and Saturday 2026-10-10. */
export const testCalendar: WorkingCalendar = {
  utcOffsetMinutes: 480,
  workHours: [
    { start: '09:00', end: '12:00' },
    { start: '13:00', end: '17:30' },
  ],
  weekendDays: [0, 6],
  holidays: ['2026-10-01..2026-10-07'],
  workdays: ['2026-09-27', '2026-10-10'],
};

export const testConfig: CaseRulesConfig = { ...defaultCaseConfig, calendar: testCalendar };

/** Local (UTC+8) wall-clock time. */
export const at = (date: string, time: string): Date => localTime(date, time);
export const plusMinutes = (d: Date, minutes: number): Date => new Date(d.getTime() + minutes * 60_000);

/** Monday 2026-11-23 10:00 local. */
export const T0 = at('2026-11-23', '10:00');

export const AREA = '310101002001007';
export const DEPT = 'D-SANITATION';
export const OTHER_DEPT = 'D-GREENING';

export const actors: Readonly<Record<ActorRole, CaseActor>> = {
  admin: { id: 'u-admin', role: 'admin', scope: '3101' },
  security: { id: 'u-security', role: 'security', scope: '3101' },
  auditor: { id: 'u-auditor', role: 'auditor', scope: '3101' },
  leader: { id: 'u-leader', role: 'leader', scope: '3101' },
  operator: { id: 'u-operator', role: 'operator', scope: '310101' },
  dispatcher: { id: 'u-dispatcher', role: 'dispatcher', scope: '310101' },
  handler: { id: 'u-handler', role: 'handler', scope: '3101', departmentCode: DEPT },
  inspector: { id: 'u-inspector', role: 'inspector', scope: '310101002' },
  system: systemActor,
};
export const actorRoles: readonly ActorRole[] = [...roles, 'system'];

/** Someone of the same role outside the case's area or department. */
export const outsiders: Readonly<Record<ActorRole, CaseActor>> = {
  admin: { ...actors.admin, scope: '3102' },
  security: { ...actors.security, scope: '3102' },
  auditor: { ...actors.auditor, scope: '3102' },
  leader: { ...actors.leader, scope: '310104' },
  operator: { ...actors.operator, scope: '310104' },
  dispatcher: { ...actors.dispatcher, scope: '310104' },
  handler: { ...actors.handler, departmentCode: OTHER_DEPT },
  inspector: { ...actors.inspector, scope: '310101003' },
  system: systemActor,
};

export function makeCase(overrides: Partial<CaseSnapshot> = {}): CaseSnapshot {
  return {
    id: 'case-1',
    status: 'reported',
    pendingRequest: null,
    source: 'inspector',
    category: '06010',
    urgency: 'normal',
    areaCode: AREA,
    areaClass: 'B',
    departmentCode: null,
    reporterId: actors.inspector.id,
    inspectorId: null,
    verification: null,
    deadlines: {},
    suspension: null,
    handUp: null,
    mergedInto: null,
    closeType: null,
    closedAt: null,
    selfHandled: false,
    counters: zeroCounters,
    ...overrides,
  };
}

const withDepartment: readonly CaseStatus[] = [
  'dispatched',
  'handling',
  'handled',
  'checked',
  'suspended',
  'closed',
];

/** A coherent snapshot in `status` with a pending request of `pending` (if any). */
export function situation(
  status: CaseStatus,
  pending: PendingSlot = 'none',
  source: CaseSource = 'inspector',
): CaseSnapshot {
  const start = plusMinutes(T0, -120);
  const handling = startDeadline('handling', working(1, 'days'), start, testCalendar);
  return makeCase({
    status,
    source,
    reporterId: source === 'inspector' ? actors.inspector.id : 'citizen-1',
    departmentCode: withDepartment.includes(status) ? DEPT : null,
    deadlines: ['handling', 'handled', 'checked', 'dispatched'].includes(status)
      ? {
          handling:
            status === 'handled' || status === 'checked' ? { ...handling, completedAt: T0 } : handling,
        }
      : { filing: startDeadline('filing', natural(60, 'minutes'), start, testCalendar) },
    pendingRequest:
      pending === 'none'
        ? null
        : {
            kind: pending,
            requestedAt: plusMinutes(T0, -10),
            requestedBy: actors.handler.id,
            reason: 'asked',
            until: null,
            duration: pending === 'extension' ? { days: 1 } : null,
          },
    suspension:
      status === 'suspended' ? { from: 'handling', since: plusMinutes(T0, -30), until: null } : null,
    handUp:
      status === 'handed-up'
        ? { from: 'filed', target: 'higher-platform', to: null, at: plusMinutes(T0, -30) }
        : null,
    mergedInto: status === 'merged' ? 'case-0' : null,
    closeType: status === 'closed' ? 'normal' : null,
    closedAt: status === 'closed' ? plusMinutes(T0, -5) : null,
  });
}

/** A body that passes every check of the action for the `situation` fixtures. */
export const samplePayloads: Readonly<Record<CaseAction, Record<string, unknown>>> = {
  'verify-report': { version: 1 },
  'confirm-report': { confirmed: true },
  accept: { reason: 'photos leave no doubt' },
  reject: { reason: 'not a city matter' },
  merge: { targetCaseId: 'case-0' },
  dispatch: { departmentCode: OTHER_DEPT },
  'auto-dispatch': { departmentCode: DEPT },
  'accept-task': {},
  return: { reason: 'not ours' },
  'approve-return': {},
  'deny-return': { reason: 'it is yours' },
  'request-extension': { reason: 'parts on order', duration: { days: 2 } },
  'approve-extension': {},
  'deny-extension': { reason: 'no' },
  'request-suspension': { reason: 'needs funding' },
  'approve-suspension': {},
  'deny-suspension': { reason: 'no' },
  suspend: { reason: 'road works first' },
  resume: {},
  handle: { photos: ['after-1.jpg'], note: 'cleaned' },
  verify: { passed: true },
  close: { closeType: 'special' },
  'self-handle': { photos: ['after-1.jpg'] },
  'hand-up': { target: 'higher-platform', reason: 'beyond district authority' },
  'hand-down': {},
  reopen: { reason: 'came back' },
  supervise: { note: 'hurry' },
  comment: { note: 'called the reporter' },
};

/** Applies steps in order, each `minutes` after the previous; throws on the first refusal. */
export function run(
  start: CaseSnapshot,
  from: Date,
  steps: readonly (readonly [CaseAction, CaseActor, Record<string, unknown>, number])[],
  config: CaseRulesConfig = testConfig,
): { c: CaseSnapshot; now: Date; decisions: Extract<Decision, { ok: true }>[] } {
  let c = start;
  let now = from;
  const decisions: Extract<Decision, { ok: true }>[] = [];
  for (const [action, actor, body, minutes] of steps) {
    now = plusMinutes(now, minutes);
    const d = decide(c, action, actor, body, now, config);
    if (!d.ok) throw new Error(`${action} by ${actor.role} refused: ${d.reason} ${d.message}`);
    decisions.push(d);
    c = d.next;
  }
  return { c, now, decisions };
}

export function expectOk(d: Decision): Extract<Decision, { ok: true }> {
  if (!d.ok) throw new Error(`expected ok, got ${d.reason}: ${d.message}`);
  return d;
}
