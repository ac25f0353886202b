import { describe, expect, it } from 'vitest';
import {
  addWorkingTime,
  compileCalendar,
  defaultCalendar,
  isWorkingDay,
  isWorkingTime,
  localDate,
  localTime,
  naturalMs,
  type WorkingCalendar,
  workingDayMinutes,
  workingTimeBetween,
} from './calendar.ts';
import { at, testCalendar as cal } from './test-fixtures.ts';
import type { Duration } from './types.ts';

describe('local time at UTC+8', () => {
  it('does the offset arithmetic itself', () => {
    expect(localTime('2026-11-23', '09:00').toISOString()).toBe('2026-11-23T01:00:00.000Z');
    expect(localDate(new Date('2026-11-22T16:00:00Z'))).toBe('2026-11-23');
    expect(localDate(new Date('2026-11-22T15:59:59Z'))).toBe('2026-11-22');
    expect(localDate(new Date('2026-11-22T15:59:59Z'), 0)).toBe('2026-11-22');
    expect(() => localTime('2026-13-01', '09:00')).toThrow(RangeError);
  });
});

describe('working days', () => {
  it.each([
    ['2026-11-23', true, 'Monday'],
    ['2026-11-28', false, 'Saturday'],
    ['2026-11-29', false, 'Sunday'],
    ['2026-10-01', false, 'National Day (Thursday)'],
    ['2026-10-07', false, 'last day of the holiday (Wednesday)'],
    ['2026-10-08', true, 'first day back'],
    ['2026-09-27', true, 'make-up working Sunday 调休上班'],
    ['2026-10-10', true, 'make-up working Saturday'],
    ['2026-09-26', false, 'ordinary Saturday'],
  ])('%s is a working day: %s (%s)', (date, working) => {
    expect(isWorkingDay(at(date, '10:00'), cal)).toBe(working);
    // Local midnight belongs to the same local day, whatever the UTC date says.
    expect(isWorkingDay(at(date, '00:00'), cal)).toBe(working);
    expect(isWorkingDay(at(date, '23:59'), cal)).toBe(working);
  });

  it.each([
    ['08:59', false],
    ['09:00', true],
    ['11:59', true],
    ['12:00', false],
    ['12:59', false],
    ['13:00', true],
    ['17:29', true],
    ['17:30', false],
    ['22:00', false],
  ])('Monday %s is working time: %s', (time, working) => {
    expect(isWorkingTime(at('2026-11-23', time), cal)).toBe(working);
  });

  it('has no working time on a holiday or weekend', () => {
    expect(isWorkingTime(at('2026-10-02', '10:00'), cal)).toBe(false);
    expect(isWorkingTime(at('2026-11-28', '10:00'), cal)).toBe(false);
    expect(isWorkingTime(at('2026-09-27', '10:00'), cal)).toBe(true);
  });

  it('a working day lasts 7.5 hours', () => {
    expect(workingDayMinutes(cal)).toBe(450);
    expect(workingDayMinutes()).toBe(450);
  });
});

describe('addWorkingTime', () => {
  const add = (date: string, time: string, d: Parameters<typeof addWorkingTime>[1]) =>
    addWorkingTime(at(date, time), d, cal);

  it.each([
    ['2026-11-23', '10:00', { hours: 1 }, '2026-11-23', '11:00', 'within the morning'],
    ['2026-11-23', '09:00', { hours: 3 }, '2026-11-23', '12:00', 'ends exactly at lunch (earliest instant)'],
    ['2026-11-23', '11:30', { hours: 1 }, '2026-11-23', '13:30', 'across lunch'],
    ['2026-11-23', '12:00', { minutes: 1 }, '2026-11-23', '13:01', 'starting at lunch'],
    ['2026-11-23', '12:30', { minutes: 30 }, '2026-11-23', '13:30', 'starting in lunch'],
    ['2026-11-23', '13:00', { minutes: 270 }, '2026-11-23', '17:30', 'ends exactly at the end of the day'],
    ['2026-11-23', '17:00', { hours: 1 }, '2026-11-24', '09:30', 'across the evening'],
    ['2026-11-23', '17:30', { minutes: 1 }, '2026-11-24', '09:01', 'starting at closing time'],
    ['2026-11-23', '20:00', { hours: 1 }, '2026-11-24', '10:00', 'starting in the evening'],
    ['2026-11-23', '06:00', { hours: 1 }, '2026-11-23', '10:00', 'starting before work'],
    ['2026-11-27', '17:00', { hours: 1 }, '2026-11-30', '09:30', 'across a weekend'],
    ['2026-11-28', '10:00', { hours: 1 }, '2026-11-30', '10:00', 'starting on a Saturday'],
    ['2026-11-23', '16:00', { hours: 5 }, '2026-11-24', '13:30', '5 working hours (道路不洁)'],
    ['2026-11-23', '09:00', { days: 1 }, '2026-11-23', '17:30', 'a working day from opening time'],
    ['2026-11-23', '15:00', { days: 1 }, '2026-11-24', '15:00', 'a working day: same time next day'],
    ['2026-11-27', '15:00', { days: 1 }, '2026-11-30', '15:00', 'a working day over the weekend'],
    ['2026-11-23', '10:00', { days: 3 }, '2026-11-26', '10:00', '3 working days'],
    ['2026-11-23', '10:00', { days: 1, hours: 1, minutes: 30 }, '2026-11-24', '11:30', 'mixed units'],
    ['2026-09-30', '16:00', { hours: 2 }, '2026-10-08', '09:30', 'across the National Day holiday'],
    ['2026-09-30', '10:00', { days: 1 }, '2026-10-08', '10:00', 'a day across the holiday'],
    [
      '2026-09-30',
      '10:00',
      { days: 4 },
      '2026-10-12',
      '10:00',
      '4 days: holiday, then make-up Saturday 10-10',
    ],
    ['2026-09-25', '17:00', { hours: 1 }, '2026-09-27', '09:30', 'into the make-up Sunday'],
    ['2026-10-09', '17:00', { hours: 1 }, '2026-10-10', '09:30', 'into the make-up Saturday'],
    ['2026-09-30', '10:00', { days: 15 }, '2026-10-27', '10:00', '15 working days (水域不洁)'],
  ] as [string, string, Duration, string, string, string][])(
    '%s %s + %o = %s %s (%s)',
    (date, time, d, endDate, endTime) => {
      expect(add(date, time, d)).toEqual(at(endDate, endTime));
    },
  );

  it('adds nothing for zero and refuses negative time', () => {
    const start = at('2026-11-28', '10:00');
    expect(addWorkingTime(start, {}, cal)).toEqual(start);
    expect(() => addWorkingTime(start, { hours: -1 }, cal)).toThrow(RangeError);
  });

  it('refuses a calendar without working time', () => {
    const none: WorkingCalendar = { ...cal, weekendDays: [0, 1, 2, 3, 4, 5, 6], workdays: [] };
    expect(() => addWorkingTime(at('2026-11-23', '10:00'), { hours: 1 }, none)).toThrow(/no working day/);
    expect(() => addWorkingTime(at('2026-11-23', '10:00'), { hours: 1 }, { ...cal, workHours: [] })).toThrow(
      /no work hours/,
    );
  });

  it('works for another offset and other work hours', () => {
    const utc: WorkingCalendar = {
      ...defaultCalendar,
      utcOffsetMinutes: 0,
      workHours: [{ start: '08:00', end: '16:00' }],
    };
    expect(addWorkingTime(new Date('2026-11-23T15:00:00Z'), { hours: 2 }, utc)).toEqual(
      new Date('2026-11-24T09:00:00Z'),
    );
    expect(workingDayMinutes(utc)).toBe(480);
    const allDay: WorkingCalendar = {
      ...utc,
      workHours: [{ start: '00:00', end: '24:00' }],
      weekendDays: [],
    };
    expect(addWorkingTime(new Date('2026-11-23T23:00:00Z'), { hours: 2 }, allDay)).toEqual(
      new Date('2026-11-24T01:00:00Z'),
    );
  });
});

describe('workingTimeBetween', () => {
  const between = (a: [string, string], b: [string, string]) => workingTimeBetween(at(...a), at(...b), cal);

  it.each([
    [['2026-11-23', '08:00'], ['2026-11-23', '18:00'], 450, 'a whole day'],
    [['2026-11-23', '11:00'], ['2026-11-23', '14:00'], 120, 'across lunch'],
    [['2026-11-23', '12:10'], ['2026-11-23', '12:50'], 0, 'inside lunch'],
    [['2026-11-27', '17:00'], ['2026-11-30', '10:00'], 90, 'across a weekend'],
    [['2026-10-01', '00:00'], ['2026-10-08', '00:00'], 0, 'the holiday week'],
    [['2026-09-26', '00:00'], ['2026-09-28', '00:00'], 450, 'a weekend with a make-up Sunday'],
    [['2026-11-23', '10:00'], ['2026-11-23', '10:00'], 0, 'no time'],
    [['2026-11-24', '10:00'], ['2026-11-23', '10:00'], -450, 'backwards is negative'],
  ] as [[string, string], [string, string], number, string][])('%o → %o = %i min (%s)', (a, b, minutes) => {
    expect(between(a, b)).toBe(minutes);
  });

  it('is the inverse of addWorkingTime', () => {
    const starts = [
      at('2026-09-25', '16:45'),
      at('2026-09-30', '11:59'),
      at('2026-10-09', '12:30'),
      at('2026-11-23', '09:00'),
      at('2026-11-28', '03:00'),
    ];
    for (const start of starts) {
      for (const minutes of [1, 29, 60, 181, 450, 451, 1000, 7 * 450 + 7]) {
        const end = addWorkingTime(start, { minutes }, cal);
        expect(workingTimeBetween(start, end, cal), `${start.toISOString()} + ${minutes}`).toBe(minutes);
        expect(isWorkingTime(end, cal) || isWorkingTime(new Date(end.getTime() - 1), cal)).toBe(true);
      }
    }
  });
});

describe('calendar data', () => {
  it('rejects malformed work hours and dates', () => {
    const bad = (c: Partial<WorkingCalendar>) => () => compileCalendar({ ...cal, ...c });
    expect(bad({ workHours: [{ start: '9:00', end: '12:00' }] })).toThrow(/HH:MM/);
    expect(bad({ workHours: [{ start: '09:00', end: '24:30' }] })).toThrow(/HH:MM/);
    expect(bad({ workHours: [{ start: '12:00', end: '09:00' }] })).toThrow(/order/);
    expect(
      bad({
        workHours: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '13:00' },
        ],
      }),
    ).toThrow(/overlaps/);
    expect(bad({ holidays: ['2026-10-07..2026-10-01'] })).toThrow(/holidays/);
    expect(bad({ holidays: ['Oct 1'] })).toThrow(/holidays/);
    expect(bad({ workdays: ['2026-10-01..2026-10-02..2026-10-03'] })).toThrow(/workdays/);
    expect(bad({ utcOffsetMinutes: 2000 })).toThrow(/utcOffset/);
  });

  it('counts natural time plainly', () => {
    expect(naturalMs({ days: 1, hours: 1, minutes: 1 })).toBe((1440 + 61) * 60_000);
  });
});
