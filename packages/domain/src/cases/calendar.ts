/**
 * The working calendar: work hours, weekends, public holidays and make-up working days (调休上班),
 * all data. Local time is a fixed offset from UTC (Asia/Shanghai is UTC+8 all year, no DST), so
 * the arithmetic is plain integer maths on epoch milliseconds — no time-zone library.
 *
 * Conventions:
 * - A work period is half-open, [start, end): 12:00 is already lunch, 13:00 is work again.
 * - Adding working time returns the earliest instant at which that much working time has passed,
 *   so Monday 09:00 + 3 working hours = Monday 12:00 (not 13:00).
 * - A working day is the length of one day's work hours (7.5 h with 09:00–12:00, 13:00–17:30):
 *   Monday 15:00 + 1 working day = Tuesday 15:00; Monday 09:00 + 1 working day = Monday 17:30.
 * - Time before the next work period starts does not count: Saturday 10:00 + 1 working hour is
 *   Monday 10:00.
 */

import { holidays2026 } from './holidays.ts';
import type { Duration } from './types.ts';
export interface WorkPeriod {
  /** Local time `HH:MM`. */
  readonly start: string;
  /** Local time `HH:MM`, after start; `24:00` allowed. */
  readonly end: string;
}

export interface WorkingCalendar {
  /** Local time minus UTC, in minutes (Asia/Shanghai: 480). */
  readonly utcOffsetMinutes: number;
  /** The same work hours on every working day, in order, not overlapping. */
  readonly workHours: readonly WorkPeriod[];
  /** Days of the week that are not worked: 0 Sunday … 6 Saturday. */
  readonly weekendDays: readonly number[];
  /** Public holidays: `YYYY-MM-DD` or a range `YYYY-MM-DD..YYYY-MM-DD` (local dates, inclusive). */
  readonly holidays: readonly string[];
  /** Make-up working days (调休上班) that fall on a weekend: same syntax. */
  readonly workdays: readonly string[];
}

export const shanghaiUtcOffsetMinutes = 480;

/**
 * Default calendar: 09:00–12:00 and 13:00–17:30, Monday to Friday, UTC+8, with the official 2026
 * holidays and make-up days. They change every year (the State Council publishes them each
 * November): an administrator loads the next year's from the notice (holidays.ts).
 */
export const defaultCalendar: WorkingCalendar = {
  utcOffsetMinutes: shanghaiUtcOffsetMinutes,
  workHours: [
    { start: '09:00', end: '12:00' },
    { start: '13:00', end: '17:30' },
  ],
  weekendDays: [0, 6],
  holidays: holidays2026.holidays,
  workdays: holidays2026.workdays,
};

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far the arithmetic searches for working time before deciding the calendar has none. */
const MAX_SEARCH_DAYS = 3_660;

interface CompiledCalendar {
  readonly offsetMs: number;
  /** Work periods as [start, end) milliseconds after local midnight. */
  readonly periods: readonly (readonly [number, number])[];
  readonly dayMs: number;
  readonly weekend: ReadonlySet<number>;
  readonly holidays: ReadonlySet<string>;
  readonly workdays: ReadonlySet<string>;
}

const compiled = new WeakMap<WorkingCalendar, CompiledCalendar>();

function parseClock(value: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  const h = Number(m?.[1]);
  const min = Number(m?.[2]);
  if (!m || min > 59 || h > 24 || (h === 24 && min !== 0)) {
    throw new RangeError(`work hours: "${value}" is not a HH:MM time`);
  }
  return (h * 60 + min) * MINUTE;
}

function expandDates(entries: readonly string[], what: string): Set<string> {
  const out = new Set<string>();
  for (const entry of entries) {
    const [from = '', to = from, ...rest] = entry.split('..');
    const a = Date.parse(`${from}T00:00:00Z`);
    const b = Date.parse(`${to}T00:00:00Z`);
    const shape = /^\d{4}-\d{2}-\d{2}$/;
    if (rest.length || !shape.test(from) || !shape.test(to) || !(a <= b)) {
      throw new RangeError(`${what}: "${entry}" is not a date or date range`);
    }
    for (let t = a; t <= b; t += DAY) out.add(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** Validates a calendar and prepares it for arithmetic (cached per calendar object). */
export function compileCalendar(calendar: WorkingCalendar): CompiledCalendar {
  const hit = compiled.get(calendar);
  if (hit) return hit;
  const periods = calendar.workHours.map((p) => [parseClock(p.start), parseClock(p.end)] as const);
  let previousEnd = 0;
  for (const [start, end] of periods) {
    if (start >= end || start < previousEnd) {
      throw new RangeError('work hours must be in order, each ending after it starts, without overlaps');
    }
    previousEnd = end;
  }
  if (!Number.isFinite(calendar.utcOffsetMinutes) || Math.abs(calendar.utcOffsetMinutes) > 14 * 60) {
    throw new RangeError('utcOffsetMinutes must be within ±14 hours');
  }
  const result: CompiledCalendar = {
    offsetMs: calendar.utcOffsetMinutes * MINUTE,
    periods,
    dayMs: periods.reduce((sum, [s, e]) => sum + (e - s), 0),
    weekend: new Set(calendar.weekendDays),
    holidays: expandDates(calendar.holidays, 'holidays'),
    workdays: expandDates(calendar.workdays, 'workdays'),
  };
  compiled.set(calendar, result);
  return result;
}

/** Local calendar date `YYYY-MM-DD` of an instant. */
export function localDate(at: Date, utcOffsetMinutes = shanghaiUtcOffsetMinutes): string {
  return new Date(at.getTime() + utcOffsetMinutes * MINUTE).toISOString().slice(0, 10);
}

/** The instant of a local wall-clock time, e.g. `localTime('2026-10-08', '09:00')`. */
export function localTime(date: string, time = '00:00', utcOffsetMinutes = shanghaiUtcOffsetMinutes): Date {
  const t = Date.parse(`${date}T${time}:00Z`);
  if (Number.isNaN(t)) throw new RangeError(`"${date} ${time}" is not a local date and time`);
  return new Date(t - utcOffsetMinutes * MINUTE);
}

function dayIndex(ms: number, cal: CompiledCalendar): number {
  return Math.floor((ms + cal.offsetMs) / DAY);
}

function isWorkingDayIndex(day: number, cal: CompiledCalendar): boolean {
  const date = new Date(day * DAY).toISOString().slice(0, 10);
  if (cal.workdays.has(date)) return true;
  if (cal.holidays.has(date)) return false;
  return !cal.weekend.has(new Date(day * DAY).getUTCDay());
}

/** True when the local day containing `at` is a working day (make-up days included). */
export function isWorkingDay(at: Date, calendar: WorkingCalendar = defaultCalendar): boolean {
  const cal = compileCalendar(calendar);
  return isWorkingDayIndex(dayIndex(at.getTime(), cal), cal);
}

/** True when `at` falls inside a work period of a working day. */
export function isWorkingTime(at: Date, calendar: WorkingCalendar = defaultCalendar): boolean {
  const cal = compileCalendar(calendar);
  const ms = at.getTime();
  const day = dayIndex(ms, cal);
  if (!isWorkingDayIndex(day, cal)) return false;
  const sinceMidnight = ms + cal.offsetMs - day * DAY;
  return cal.periods.some(([s, e]) => sinceMidnight >= s && sinceMidnight < e);
}

/** Working minutes in one working day (450 for the default calendar). */
export function workingDayMinutes(calendar: WorkingCalendar = defaultCalendar): number {
  return compileCalendar(calendar).dayMs / MINUTE;
}

/** Milliseconds of a duration in natural time (a day is 24 hours). */
export function naturalMs(duration: Duration): number {
  return ((duration.days ?? 0) * 1440 + (duration.hours ?? 0) * 60 + (duration.minutes ?? 0)) * MINUTE;
}

/** Milliseconds of working time in a duration (a day is one working day's hours). */
export function workingMs(duration: Duration, calendar: WorkingCalendar = defaultCalendar): number {
  const cal = compileCalendar(calendar);
  return (duration.days ?? 0) * cal.dayMs + ((duration.hours ?? 0) * 60 + (duration.minutes ?? 0)) * MINUTE;
}

/** The instant `amount` milliseconds of working time after `start`. */
export function addWorkingMs(start: Date, amount: number, calendar: WorkingCalendar = defaultCalendar): Date {
  if (amount < 0) throw new RangeError('working time to add must not be negative');
  if (amount === 0) return new Date(start.getTime());
  const cal = compileCalendar(calendar);
  if (cal.dayMs === 0) throw new RangeError('the calendar has no work hours');
  let remaining = amount;
  let cursor = start.getTime();
  const first = dayIndex(cursor, cal);
  for (let day = first; day < first + MAX_SEARCH_DAYS; day++) {
    if (!isWorkingDayIndex(day, cal)) continue;
    const midnight = day * DAY - cal.offsetMs;
    for (const [s, e] of cal.periods) {
      const from = Math.max(cursor, midnight + s);
      const to = midnight + e;
      if (from >= to) continue;
      if (remaining <= to - from) return new Date(from + remaining);
      remaining -= to - from;
      cursor = to;
    }
  }
  throw new RangeError('the calendar has no working day within ten years');
}

/** `start` plus working time, e.g. `{ hours: 5 }` or `{ days: 4 }` (see the conventions above). */
export function addWorkingTime(
  start: Date,
  duration: Duration,
  calendar: WorkingCalendar = defaultCalendar,
): Date {
  return addWorkingMs(start, workingMs(duration, calendar), calendar);
}

/** Working milliseconds between two instants; negative when `b` is before `a`. */
export function workingMsBetween(a: Date, b: Date, calendar: WorkingCalendar = defaultCalendar): number {
  if (b.getTime() < a.getTime()) return -workingMsBetween(b, a, calendar);
  const cal = compileCalendar(calendar);
  const start = a.getTime();
  const end = b.getTime();
  let total = 0;
  for (let day = dayIndex(start, cal); day <= dayIndex(end, cal); day++) {
    if (!isWorkingDayIndex(day, cal)) continue;
    const midnight = day * DAY - cal.offsetMs;
    for (const [s, e] of cal.periods) {
      const from = Math.max(start, midnight + s);
      const to = Math.min(end, midnight + e);
      if (to > from) total += to - from;
    }
  }
  return total;
}

/** Working minutes between two instants; negative when `b` is before `a`. */
export function workingTimeBetween(a: Date, b: Date, calendar: WorkingCalendar = defaultCalendar): number {
  return workingMsBetween(a, b, calendar) / MINUTE;
}
