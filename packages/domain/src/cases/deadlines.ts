/**
 * Deadlines (时限) for every step of the loop, as data: a rule table per category × urgency ×
 * area class, looked up with fallbacks (exact code → major → default), counted in natural or
 * working time on a `WorkingCalendar`.
 *
 * A `Deadline` is a value stored with the case, not a timer: whether it is ok, in warning or
 * overdue follows from its times and "now", so a restart loses nothing.
 * - Warning: at `ratio` of the limit (default 80 %) or `minutesBefore` the due time, whichever
 *   comes first, counted in the limit's own basis.
 * - Pause (suspension 挂账, hand-up): the clock stops at `pausedAt`; on resume the due and warning
 *   times move later by the paused time, measured in the limit's basis — a case suspended from
 *   Friday 17:00 to Monday 10:00 on a working-hours limit gains 1.5 working hours, not 65 hours.
 * - Extension (延期): the due time moves to the approved instant, or later by a duration.
 * - Completion: `completedAt` freezes the state; a cancelled clock (superseded or the case ended
 *   another way) keeps its times for the record.
 */

import type { AreaClass } from '../geo/index.ts';
import {
  addWorkingMs,
  compileCalendar,
  naturalMs,
  type WorkingCalendar,
  workingMs,
  workingMsBetween,
} from './calendar.ts';
import type { Duration, Urgency } from './types.ts';

export const deadlineSteps = [
  'verify-report',
  'filing',
  'dispatch',
  'response',
  'handling',
  'check',
] as const;
export type DeadlineStep = (typeof deadlineSteps)[number];

export const deadlineStepNames: Record<DeadlineStep, string> = {
  'verify-report': '核实时限',
  filing: '立案时限',
  dispatch: '派遣时限',
  response: '响应（到场）时限',
  handling: '处置时限',
  check: '核查时限',
};

export type TimeBasis = 'natural' | 'working';

export interface TimeLimit {
  readonly amount: number;
  readonly unit: 'minutes' | 'hours' | 'days';
  readonly basis: TimeBasis;
}

export const natural = (amount: number, unit: TimeLimit['unit']): TimeLimit => ({
  amount,
  unit,
  basis: 'natural',
});
export const working = (amount: number, unit: TimeLimit['unit']): TimeLimit => ({
  amount,
  unit,
  basis: 'working',
});

/**
 * One row of the policy table. `category` is an exact matter code (`06010`), a major (`06`) or
 * `*`; `urgency` and `areaClass` left out match any. A row may define only some steps.
 */
export interface DeadlineRule {
  readonly category: string;
  readonly urgency?: Urgency;
  readonly areaClass?: AreaClass;
  readonly limits: Readonly<Partial<Record<DeadlineStep, TimeLimit>>>;
  readonly note?: string;
  /**
   * Set on a district's or street's own rules (per-level ownership): a rule of a more specific
   * area beats every rule of a less specific one; city rules (no area) are the defaults.
   */
  readonly areaCode?: string;
}

export interface DeadlineKey {
  readonly category: string;
  readonly urgency: Urgency;
  readonly areaClass: AreaClass;
}

function specificity(rule: DeadlineRule, key: DeadlineKey): number {
  let category: number;
  if (rule.category === key.category) category = 2;
  else if (rule.category.length === 2 && key.category.startsWith(rule.category)) category = 1;
  else if (rule.category === '*') category = 0;
  else return -1;
  if (rule.urgency !== undefined && rule.urgency !== key.urgency) return -1;
  if (rule.areaClass !== undefined && rule.areaClass !== key.areaClass) return -1;
  return (
    (rule.areaCode?.length ?? 0) * 100 + category * 4 + (rule.urgency ? 2 : 0) + (rule.areaClass ? 1 : 0)
  );
}

/**
 * The limit for one step: the most specific matching row that defines it (category first, then
 * urgency, then area class); among equals the later row wins, so a city appends its overrides.
 */
export function findLimit(
  rules: readonly DeadlineRule[],
  step: DeadlineStep,
  key: DeadlineKey,
): TimeLimit | undefined {
  let best: TimeLimit | undefined;
  let bestScore = -1;
  for (const rule of rules) {
    const limit = rule.limits[step];
    if (!limit) continue;
    const score = specificity(rule, key);
    if (score >= 0 && score >= bestScore) {
      best = limit;
      bestScore = score;
    }
  }
  return best;
}

/** Every step's limit for a case. */
export function resolveLimits(
  rules: readonly DeadlineRule[],
  key: DeadlineKey,
): Partial<Record<DeadlineStep, TimeLimit>> {
  const out: Partial<Record<DeadlineStep, TimeLimit>> = {};
  for (const step of deadlineSteps) {
    const limit = findLimit(rules, step, key);
    if (limit) out[step] = limit;
  }
  return out;
}

export interface WarningPolicy {
  /** Warn when this share of the limit has passed (0–1). */
  readonly ratio?: number;
  /** Warn this many minutes (in the limit's basis) before the due time. */
  readonly minutesBefore?: number;
}

export const defaultWarning: WarningPolicy = { ratio: 0.8 };

export interface Deadline {
  readonly step: DeadlineStep;
  readonly limit: TimeLimit;
  readonly startedAt: Date;
  readonly dueAt: Date;
  readonly warnAt: Date;
  /** When the step was done (or the clock cancelled); freezes the state. */
  readonly completedAt: Date | null;
  /** The clock stopped without the step being done (superseded, or the case ended another way). */
  readonly cancelled: boolean;
  /** Set while the clock is paused (suspension, hand-up). */
  readonly pausedAt: Date | null;
  /** Total paused time so far, in milliseconds of the limit's basis. */
  readonly pausedMs: number;
  readonly extensions: number;
}

export function limitDuration(limit: TimeLimit): Duration {
  return { [limit.unit]: limit.amount };
}

/** Milliseconds of a duration in a basis. */
export function basisMs(duration: Duration, basis: TimeBasis, calendar: WorkingCalendar): number {
  return basis === 'working' ? workingMs(duration, calendar) : naturalMs(duration);
}

function addMs(start: Date, ms: number, basis: TimeBasis, calendar: WorkingCalendar): Date {
  return basis === 'working' ? addWorkingMs(start, ms, calendar) : new Date(start.getTime() + ms);
}

function msBetween(a: Date, b: Date, basis: TimeBasis, calendar: WorkingCalendar): number {
  return basis === 'working' ? workingMsBetween(a, b, calendar) : b.getTime() - a.getTime();
}

/** `start` plus a duration in natural or working time. */
export function addTime(start: Date, duration: Duration, basis: TimeBasis, calendar: WorkingCalendar): Date {
  return addMs(start, basisMs(duration, basis, calendar), basis, calendar);
}

function warnAtFor(
  d: Pick<Deadline, 'startedAt' | 'dueAt' | 'pausedMs' | 'limit'>,
  calendar: WorkingCalendar,
  warning: WarningPolicy,
): Date {
  const basis = d.limit.basis;
  const active = Math.max(0, msBetween(d.startedAt, d.dueAt, basis, calendar) - d.pausedMs);
  let offset = active;
  if (warning.ratio !== undefined) offset = Math.min(offset, active * warning.ratio);
  if (warning.minutesBefore !== undefined) {
    offset = Math.min(offset, Math.max(0, active - warning.minutesBefore * 60_000));
  }
  return addMs(d.startedAt, offset + d.pausedMs, basis, calendar);
}

/** A running clock for `step`, started at `start`. */
export function startDeadline(
  step: DeadlineStep,
  limit: TimeLimit,
  start: Date,
  calendar: WorkingCalendar,
  warning: WarningPolicy = defaultWarning,
): Deadline {
  compileCalendar(calendar);
  const dueAt = addTime(start, limitDuration(limit), limit.basis, calendar);
  const base = { step, limit, startedAt: start, dueAt, pausedMs: 0 };
  return {
    ...base,
    warnAt: warnAtFor(base, calendar, warning),
    completedAt: null,
    cancelled: false,
    pausedAt: null,
    extensions: 0,
  };
}

export type DeadlineState = 'ok' | 'warning' | 'overdue';

/** The times `deadlineState` needs; `warnAt` defaults to 80 % of the natural span. */
export interface DeadlineTimes {
  readonly startedAt: Date;
  readonly dueAt: Date;
  readonly warnAt?: Date;
  readonly completedAt?: Date | null;
  readonly pausedAt?: Date | null;
}

/**
 * ok / warning / overdue at `now`. A completed clock is judged at its completion (on time is ok),
 * a paused one at its pause. Due exactly at `now` is still on time.
 */
export function deadlineState(deadline: DeadlineTimes, now: Date): DeadlineState {
  const done = deadline.completedAt ?? null;
  const at = (done ?? deadline.pausedAt ?? now).getTime();
  if (at > deadline.dueAt.getTime()) return 'overdue';
  if (done) return 'ok';
  const start = deadline.startedAt.getTime();
  const warnAt = deadline.warnAt?.getTime() ?? start + (deadline.dueAt.getTime() - start) * 0.8;
  return at >= warnAt ? 'warning' : 'ok';
}

export function isRunning(deadline: Deadline): boolean {
  return deadline.completedAt === null;
}

/** True when the step was (or, still running, is) within its due time at `now`. */
export function isOnTime(deadline: Deadline, now: Date): boolean {
  return deadlineState(deadline, now) !== 'overdue';
}

/** Stops the clock: the step is done at `at` (or the clock is cancelled). */
export function stopDeadline(deadline: Deadline, at: Date, cancelled = false): Deadline {
  return { ...deadline, completedAt: deadline.pausedAt ?? at, cancelled, pausedAt: null };
}

export function pauseDeadline(deadline: Deadline, at: Date): Deadline {
  if (deadline.pausedAt || deadline.completedAt) return deadline;
  return { ...deadline, pausedAt: at };
}

/** Restarts a paused clock, moving due and warning times later by the paused time. */
export function resumeDeadline(deadline: Deadline, at: Date, calendar: WorkingCalendar): Deadline {
  if (!deadline.pausedAt) return deadline;
  const basis = deadline.limit.basis;
  const paused = Math.max(0, msBetween(deadline.pausedAt, at, basis, calendar));
  return {
    ...deadline,
    pausedAt: null,
    pausedMs: deadline.pausedMs + paused,
    dueAt: addMs(deadline.dueAt, paused, basis, calendar),
    warnAt: addMs(deadline.warnAt, paused, basis, calendar),
  };
}

/**
 * Reopens a completed clock (rework 返工): the time between completion and `at` does not count
 * against the step, so the department gains no time and loses none to the check.
 */
export function reopenDeadline(deadline: Deadline, at: Date, calendar: WorkingCalendar): Deadline {
  if (!deadline.completedAt) return deadline;
  return resumeDeadline(
    { ...deadline, pausedAt: deadline.completedAt, completedAt: null, cancelled: false },
    at,
    calendar,
  );
}

export type DeadlineChange = { readonly until: Date } | { readonly duration: Duration };

/** The due time an extension would give: an exact instant, or the current due time plus time. */
export function extendedDueAt(deadline: Deadline, change: DeadlineChange, calendar: WorkingCalendar): Date {
  if ('until' in change) return change.until;
  return addTime(deadline.dueAt, change.duration, deadline.limit.basis, calendar);
}

/** Moves the due time (延期) and recomputes the warning time over the longer span. */
export function extendDeadline(
  deadline: Deadline,
  change: DeadlineChange,
  calendar: WorkingCalendar,
  warning: WarningPolicy = defaultWarning,
): Deadline {
  const dueAt = extendedDueAt(deadline, change, calendar);
  const next = { ...deadline, dueAt, extensions: deadline.extensions + 1 };
  return { ...next, warnAt: warnAtFor(next, calendar, warning) };
}
