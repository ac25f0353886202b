import { describe, expect, it } from 'vitest';
import { defaultVitalDefinitions } from './defaults.ts';
import {
  aqiClass,
  definitionProblems,
  iaqiPm25,
  levelOf,
  thresholdsAt,
  vitalValue,
  windowStart,
  worstLevel,
} from './levels.ts';
import type { VitalDefinition } from './types.ts';

const def = (id: string) => defaultVitalDefinitions.find((d) => d.id === id)!;

describe('HJ 633 PM2.5 individual AQI', () => {
  it('is exact on every breakpoint', () => {
    expect([0, 35, 75, 115, 150, 250, 350, 500].map(iaqiPm25)).toEqual([0, 50, 100, 150, 200, 300, 400, 500]);
  });
  it('interpolates linearly between breakpoints and rounds up (进位取整)', () => {
    // 50 µg/m³: (100 − 50)/(75 − 35) × (50 − 35) + 50 = 68.75 → 69
    expect(iaqiPm25(50)).toBe(69);
    // 10 µg/m³: 50/35 × 10 = 14.2857… → 15
    expect(iaqiPm25(10)).toBe(15);
    // 120 µg/m³: 50/35 × 5 + 150 = 157.14… → 158
    expect(iaqiPm25(120)).toBe(158);
    // 200 µg/m³: 100/100 × 50 + 200 = 250
    expect(iaqiPm25(200)).toBe(250);
    // 35.1 µg/m³: 50/40 × 0.1 + 50 = 50.125 → 51 (良)
    expect(iaqiPm25(35.1)).toBe(51);
  });
  it('caps at 500, floors at 0, and passes null through', () => {
    expect(iaqiPm25(900)).toBe(500);
    expect(iaqiPm25(-3)).toBe(0);
    expect(iaqiPm25(null)).toBeNull();
    expect(iaqiPm25(Number.NaN)).toBeNull();
  });
  it('classes AQI values with closed upper bounds', () => {
    expect([0, 50, 51, 100, 101, 150, 151, 200, 201, 300, 301].map(aqiClass)).toEqual([
      1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
    ]);
  });
});

describe('levelOf', () => {
  const pm25 = def('pm25'); // 35 / 75 / 115, higher is worse
  const online = def('device_online_rate'); // 95 / 90 / 80, lower is worse
  it('keeps the better level exactly on a threshold (higher is worse)', () => {
    expect([0, 35, 35.1, 75, 75.1, 115, 115.1, 999].map((v) => levelOf(v, pm25))).toEqual([
      'green',
      'green',
      'yellow',
      'yellow',
      'orange',
      'orange',
      'red',
      'red',
    ]);
  });
  it('keeps the better level exactly on a threshold (lower is worse)', () => {
    expect([100, 95, 94.9, 90, 89.9, 80, 79.9, 0].map((v) => levelOf(v, online))).toEqual([
      'green',
      'green',
      'yellow',
      'yellow',
      'orange',
      'orange',
      'red',
      'red',
    ]);
  });
  it('turns any critical alarm red (all thresholds at zero)', () => {
    expect(levelOf(0, def('alarms_red'))).toBe('green');
    expect(levelOf(1, def('alarms_red'))).toBe('red');
    expect(levelOf(1, def('alarms_orange'))).toBe('orange');
    expect(levelOf(6, def('alarms_orange'))).toBe('red');
  });
  it('uses the area level’s own thresholds when the definition has them', () => {
    const open = def('open_cases');
    expect(thresholdsAt(open, 'city')).toEqual({ yellow: 20_000, orange: 40_000, red: 80_000 });
    expect(thresholdsAt(open, 'community')).toEqual({ yellow: 5, orange: 10, red: 20 });
    expect(levelOf(150, open, 'street')).toBe('yellow');
    expect(levelOf(150, open, 'city')).toBe('green');
    expect(levelOf(150, open, 'community')).toBe('red');
    expect(levelOf(150, open)).toBe('yellow');
  });
  it('gives null for null, undefined and NaN', () => {
    expect(levelOf(null, pm25)).toBeNull();
    expect(levelOf(undefined, pm25)).toBeNull();
    expect(levelOf(Number.NaN, pm25)).toBeNull();
  });
  it('takes the worst of several levels', () => {
    expect(worstLevel(['green', null, 'orange', 'yellow'])).toBe('orange');
    expect(worstLevel([null, null])).toBeNull();
  });
});

describe('vitalValue', () => {
  it('gives a rate in % with one decimal, null for a zero denominator', () => {
    expect(vitalValue(def('overdue_rate'), { count: 1, of: 3 })).toBe(33.3);
    expect(vitalValue(def('overdue_rate'), { count: 0, of: 4 })).toBe(0);
    expect(vitalValue(def('overdue_rate'), { count: 0, of: 0 })).toBeNull();
    expect(vitalValue(def('ontime_close_rate'), { count: 2, of: 3 })).toBe(66.7);
  });
  it('gives cases per 10,000 residents, null where population is unknown or zero', () => {
    expect(vitalValue(def('cases_per_10k'), { count: 3, population: 12_000 })).toBe(2.5);
    expect(vitalValue(def('cases_per_10k'), { count: 3, population: null })).toBeNull();
    expect(vitalValue(def('cases_per_10k'), { count: 3, population: 0 })).toBeNull();
  });
  it('counts as zero when nothing was found, but averages as null', () => {
    expect(vitalValue(def('open_cases'), {})).toBe(0);
    expect(vitalValue(def('pm25'), {})).toBeNull();
    expect(vitalValue(def('aqi'), { avg: null })).toBeNull();
    expect(vitalValue(def('aqi'), { avg: 50 })).toBe(69);
    expect(vitalValue(def('pm25'), { avg: 42.26 })).toBe(42.3);
  });
});

describe('windows', () => {
  it('starts today at midnight Beijing time', () => {
    // 2026-11-22 01:30 UTC is 09:30 in Shanghai: today began 2026-11-21 16:00 UTC.
    expect(windowStart('today', new Date('2026-11-22T01:30:00Z')).toISOString()).toBe(
      '2026-11-21T16:00:00.000Z',
    );
    // 2026-11-22 17:00 UTC is 01:00 on the 23rd in Shanghai.
    expect(windowStart('today', new Date('2026-11-22T17:00:00Z')).toISOString()).toBe(
      '2026-11-22T16:00:00.000Z',
    );
    expect(windowStart('15m', new Date('2026-11-22T01:30:00Z')).toISOString()).toBe(
      '2026-11-22T01:15:00.000Z',
    );
  });
});

describe('definition checks', () => {
  it('accepts every default', () => {
    for (const d of defaultVitalDefinitions) expect(definitionProblems(d), d.id).toEqual([]);
  });
  it('names every problem', () => {
    const bad = {
      ...def('pm25'),
      id: 'Bad Id',
      thresholds: { yellow: 100, orange: 50, red: 10 },
      window: 'now',
    } as VitalDefinition;
    const p = definitionProblems(bad);
    expect(p.join('\n')).toMatch(/id must match/);
    expect(p.join('\n')).toMatch(/yellow ≤ orange ≤ red/);
    expect(p.join('\n')).toMatch(/readings need a window/);
    expect(definitionProblems({ ...def('overdue_rate'), of: 'nothing' }).join()).toMatch(/a rate needs "of"/);
    expect(definitionProblems({ ...def('open_cases'), aggregation: 'aqi' }).join()).toMatch(/readings only/);
    expect(
      definitionProblems({ ...def('alarms_red'), filter: { severity: ['purple' as 'critical'] } }).join(),
    ).toMatch(/filter.severity/);
    expect(definitionProblems({ ...def('open_cases'), window: '7d' }).join()).toMatch(/its window is now/);
    expect(definitionProblems({ ...def('new_today'), window: 'now' }).join()).toMatch(
      /window other than now/,
    );
    expect(
      definitionProblems({
        ...def('open_cases'),
        thresholdsByLevel: { street: { yellow: 3, orange: 2, red: 1 } },
      }).join(),
    ).toMatch(/thresholdsByLevel.street/);
  });
});
