import { describe, expect, it } from 'vitest';
import { createRng } from './prng.ts';
import {
  busyness,
  districtResidents,
  historyMoments,
  reportsPerDay,
  shanghaiClock,
  shanghaiMidnight,
} from './rhythm.ts';
import { shanghaiDistricts } from './shanghai.ts';

describe('the demo city rhythm', () => {
  it('has residents for every district, about 24.9 million in all (census 2020)', () => {
    for (const d of shanghaiDistricts) expect(districtResidents[d.code], d.name).toBeGreaterThan(500_000);
    const total = Object.values(districtResidents).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(24_800_000);
    expect(total).toBeLessThan(25_000_000);
  });

  it('is busy in the rush hours, quiet at night, lighter at weekends', () => {
    const at = (iso: string) => busyness(new Date(iso));
    // Tuesday 2026-12-08 (Shanghai): 09:00 against 03:00, and against Sunday 09:00.
    expect(at('2026-12-08T09:00:00+08:00')).toBeGreaterThan(5 * at('2026-12-08T03:00:00+08:00'));
    expect(at('2026-12-08T09:00:00+08:00')).toBeGreaterThan(at('2026-12-06T09:00:00+08:00'));
    expect(shanghaiClock(new Date('2026-12-06T09:00:00+08:00'))).toEqual({ hour: 9, weekday: 0 });
    expect(shanghaiMidnight(new Date('2026-12-08T01:30:00Z')).toISOString()).toBe('2026-12-07T16:00:00.000Z');
  });

  it('gives a history whose days differ, with more by day than by night', () => {
    const end = new Date('2026-12-08T02:00:00Z');
    const moments = historyMoments(end, 14, 15, createRng('t'));
    expect(moments.every((t) => t < end && t.getTime() >= end.getTime() - 14 * 86_400_000)).toBe(true);
    const perDay = new Map<number, number>();
    let day = 0;
    let night = 0;
    for (const t of moments) {
      const k = shanghaiMidnight(t).getTime();
      perDay.set(k, (perDay.get(k) ?? 0) + 1);
      const { hour } = shanghaiClock(t);
      if (hour >= 8 && hour < 20) day++;
      else if (hour < 6) night++;
    }
    const full = [...perDay.values()].slice(1, -1);
    expect(new Set(full).size).toBeGreaterThan(3); // not flat
    expect(day).toBeGreaterThan(8 * night);
    expect(moments.length / 14).toBeGreaterThan(10);
    expect(moments.length / 14).toBeLessThan(20);
    // Pudong finds more than Chongming, but not 9 times more.
    const pd = reportsPerDay(districtResidents['310115'] ?? 0);
    const cm = reportsPerDay(districtResidents['310151'] ?? 0);
    expect(pd).toBeGreaterThan(2 * cm);
    expect(pd).toBeLessThan(9 * cm);
  });
});
