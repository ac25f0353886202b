import { describe, expect, it } from 'vitest';
import { defaultDeadlineRules, manholeCoverCategories } from './deadline-rules.ts';
import {
  type DeadlineRule,
  deadlineState,
  extendDeadline,
  findLimit,
  isOnTime,
  natural,
  pauseDeadline,
  reopenDeadline,
  resolveLimits,
  resumeDeadline,
  startDeadline,
  stopDeadline,
  type TimeLimit,
  working,
} from './deadlines.ts';
import { at, testCalendar as cal, plusMinutes } from './test-fixtures.ts';
import type { Urgency } from './types.ts';

const key = (
  category: string,
  urgency: 'urgent' | 'normal' = 'normal',
  areaClass: 'A' | 'B' | 'C' = 'B',
) => ({
  category,
  urgency,
  areaClass,
});

describe('deadline policy lookup (exact code → major → default)', () => {
  const rules = defaultDeadlineRules;
  it.each([
    ['06010', 'normal', working(1, 'days'), '暴露垃圾'],
    ['06011', 'normal', working(4, 'days'), '积存垃圾渣土'],
    ['06012', 'normal', working(5, 'hours'), '道路不洁'],
    ['06025', 'normal', working(15, 'days'), '水域不洁'],
    ['06001', 'normal', working(15, 'days'), '私搭乱建'],
    ['08016', 'normal', working(15, 'days'), '无证建设'],
    ['01002', 'normal', natural(6, 'hours'), '污水井盖: safe within 6 h'],
    ['01023', 'urgent', natural(6, 'hours'), '不明井盖, urgent too'],
    ['06010', 'urgent', working(4, 'hours'), 'urgent falls back to the urgent default'],
    ['09006', 'normal', working(3, 'days'), 'no rule: the default'],
  ] as [string, Urgency, TimeLimit, string][])('handling %s (%s) = %o — %s', (category, urgency, limit) => {
    expect(findLimit(rules, 'handling', key(category, urgency))).toEqual(limit);
  });

  it('has the step defaults: verify and check 30 natural minutes, on-site only for manholes', () => {
    expect(resolveLimits(rules, key('06010'))).toEqual({
      'verify-report': natural(30, 'minutes'),
      filing: natural(60, 'minutes'),
      dispatch: natural(30, 'minutes'),
      handling: working(1, 'days'),
      check: natural(30, 'minutes'),
    });
    expect(findLimit(rules, 'response', key('01011'))).toEqual(natural(30, 'minutes'));
    expect(findLimit(rules, 'response', key('06010'))).toBeUndefined();
    expect(manholeCoverCategories).toHaveLength(20);
    expect(findLimit(rules, 'filing', key('06010', 'urgent'))).toEqual(natural(15, 'minutes'));
  });

  it('prefers exact over major over default, then urgency, then area class; later rows win ties', () => {
    const custom: DeadlineRule[] = [
      { category: '*', limits: { handling: working(3, 'days') } },
      { category: '06', limits: { handling: working(2, 'days') } },
      { category: '06', areaClass: 'A', limits: { handling: working(1, 'days') } },
      { category: '06', urgency: 'urgent', limits: { handling: working(2, 'hours') } },
      { category: '06010', limits: { handling: working(8, 'hours') } },
      { category: '06010', limits: { handling: working(6, 'hours') } },
      { category: '0601', limits: { handling: natural(1, 'minutes') } }, // not a code or major: never matches
    ];
    expect(findLimit(custom, 'handling', key('06010'))).toEqual(working(6, 'hours'));
    expect(findLimit(custom, 'handling', key('06099'))).toEqual(working(2, 'days'));
    expect(findLimit(custom, 'handling', key('06099', 'normal', 'A'))).toEqual(working(1, 'days'));
    expect(findLimit(custom, 'handling', key('06099', 'urgent', 'A'))).toEqual(working(2, 'hours'));
    expect(findLimit(custom, 'handling', key('07001'))).toEqual(working(3, 'days'));
    expect(findLimit(custom, 'check', key('07001'))).toBeUndefined();
  });
});

describe('a running deadline', () => {
  const start = at('2026-11-23', '16:00');
  const d = startDeadline('handling', working(5, 'hours'), start, cal);

  it('is due and warns in working time', () => {
    expect(d.dueAt).toEqual(at('2026-11-24', '13:30'));
    expect(d.warnAt).toEqual(at('2026-11-24', '11:30')); // 4 of 5 working hours
    expect(d).toMatchObject({
      completedAt: null,
      pausedAt: null,
      pausedMs: 0,
      extensions: 0,
      cancelled: false,
    });
  });

  it.each([
    ['2026-11-23', '17:00', 'ok'],
    ['2026-11-24', '11:29', 'ok'],
    ['2026-11-24', '11:30', 'warning'],
    ['2026-11-24', '13:30', 'warning'],
    ['2026-11-24', '13:31', 'overdue'],
  ] as const)('at %s %s it is %s', (date, time, state) => {
    expect(deadlineState(d, at(date, time))).toBe(state);
  });

  it('natural limits count the clock', () => {
    const n = startDeadline('check', natural(30, 'minutes'), start, cal);
    expect(n.dueAt).toEqual(plusMinutes(start, 30));
    expect(n.warnAt).toEqual(plusMinutes(start, 24));
    const night = startDeadline('handling', natural(6, 'hours'), at('2026-11-28', '22:00'), cal);
    expect(night.dueAt).toEqual(at('2026-11-29', '04:00'));
  });

  it('warns N minutes before, or at a ratio, whichever is first', () => {
    const n = natural(30, 'minutes');
    expect(startDeadline('check', n, start, cal, { minutesBefore: 10 }).warnAt).toEqual(
      plusMinutes(start, 20),
    );
    expect(startDeadline('check', n, start, cal, { ratio: 0.8, minutesBefore: 10 }).warnAt).toEqual(
      plusMinutes(start, 20),
    );
    expect(startDeadline('check', n, start, cal, { ratio: 0.5, minutesBefore: 10 }).warnAt).toEqual(
      plusMinutes(start, 15),
    );
    expect(startDeadline('check', n, start, cal, { minutesBefore: 60 }).warnAt).toEqual(start);
    expect(startDeadline('check', n, start, cal, {}).warnAt).toEqual(plusMinutes(start, 30));
    const w = startDeadline('handling', working(1, 'hours'), at('2026-11-23', '17:00'), cal, {
      minutesBefore: 15,
    });
    expect(w.warnAt).toEqual(at('2026-11-24', '09:15'));
  });

  it('works from bare times, warning at 80 % of the span', () => {
    const bare = { startedAt: at('2026-11-23', '10:00'), dueAt: at('2026-11-23', '11:40') };
    expect(deadlineState(bare, at('2026-11-23', '11:19'))).toBe('ok');
    expect(deadlineState(bare, at('2026-11-23', '11:20'))).toBe('warning');
    expect(deadlineState(bare, at('2026-11-23', '11:41'))).toBe('overdue');
  });
});

describe('stopping, pausing, extending', () => {
  const start = at('2026-11-23', '10:00');
  const d = startDeadline('handling', working(1, 'days'), start, cal); // due Tuesday 10:00

  it('a completed clock is judged at completion', () => {
    const onTime = stopDeadline(d, at('2026-11-24', '09:00'));
    expect(deadlineState(onTime, at('2027-01-01', '00:00'))).toBe('ok');
    expect(isOnTime(onTime, at('2027-01-01', '00:00'))).toBe(true);
    const late = stopDeadline(d, at('2026-11-24', '10:01'));
    expect(deadlineState(late, at('2026-11-24', '10:02'))).toBe('overdue');
    expect(stopDeadline(d, at('2026-11-24', '10:00'), true)).toMatchObject({ cancelled: true });
  });

  it('a paused clock is frozen and resumes later by the paused working time', () => {
    const paused = pauseDeadline(d, at('2026-11-23', '17:00'));
    expect(pauseDeadline(paused, at('2026-11-23', '17:10'))).toBe(paused);
    expect(deadlineState(paused, at('2026-12-31', '10:00'))).toBe('warning'); // frozen at the pause, never overdue
    const resumed = resumeDeadline(paused, at('2026-11-30', '10:00'), cal); // 30 + 4×450 + 60 minutes
    expect(resumed.pausedMs).toBe((30 + 4 * 450 + 60) * 60_000);
    expect(resumed.dueAt).toEqual(at('2026-11-30', '11:30'));
    expect(resumed.warnAt).toEqual(at('2026-11-30', '10:00')); // the warning instant was the pause itself
    expect(resumeDeadline(resumed, at('2026-12-01', '10:00'), cal)).toBe(resumed);
    // Stopping a paused clock freezes it at the pause.
    expect(stopDeadline(paused, at('2026-12-01', '10:00')).completedAt).toEqual(at('2026-11-23', '17:00'));
  });

  it('a suspension over the National Day holiday costs nothing', () => {
    const before = startDeadline('handling', working(1, 'days'), at('2026-09-30', '10:00'), cal);
    expect(before.dueAt).toEqual(at('2026-10-08', '10:00'));
    const resumed = resumeDeadline(
      pauseDeadline(before, at('2026-09-30', '17:30')),
      at('2026-10-08', '09:00'),
      cal,
    );
    expect(resumed.dueAt).toEqual(before.dueAt);
  });

  it('natural clocks resume by natural time', () => {
    const n = startDeadline('handling', natural(6, 'hours'), start, cal);
    const r = resumeDeadline(pauseDeadline(n, plusMinutes(start, 60)), plusMinutes(start, 180), cal);
    expect(r.dueAt).toEqual(plusMinutes(start, 6 * 60 + 120));
  });

  it('reopening a completed clock gives back the time since completion', () => {
    const done = stopDeadline(d, at('2026-11-23', '11:00'));
    const reopened = reopenDeadline(done, at('2026-11-23', '14:00'), cal);
    expect(reopened).toMatchObject({ completedAt: null, pausedAt: null, dueAt: at('2026-11-24', '12:00') });
    expect(reopenDeadline(d, at('2026-11-23', '14:00'), cal)).toBe(d);
  });

  it('extends to an instant or by a duration, and warns over the longer span', () => {
    const until = extendDeadline(d, { until: at('2026-11-27', '17:30') }, cal);
    expect(until).toMatchObject({ dueAt: at('2026-11-27', '17:30'), extensions: 1 });
    const more = extendDeadline(until, { duration: { hours: 1 } }, cal);
    expect(more).toMatchObject({ dueAt: at('2026-11-30', '10:00'), extensions: 2 });
    const byDays = extendDeadline(d, { duration: { days: 1 } }, cal);
    expect(byDays.dueAt).toEqual(at('2026-11-25', '10:00'));
    expect(byDays.warnAt).toEqual(at('2026-11-24', '15:30')); // 80 % of 900 working minutes = 720
  });
});
