import { describe, expect, it } from 'vitest';
import { aqiOfPm25, maybeStartIncident, readingOf, type SimDevice, seeded } from './kinds.ts';

const device = (kind: SimDevice['kind']): SimDevice => ({
  id: 'x',
  kind,
  bias: 0.5,
  battery: 90,
  incident: null,
});

describe('simulated readings', () => {
  it('computes AQI from PM2.5 with the HJ 633 breakpoints', () => {
    expect([0, 35, 75, 115, 150, 250, 600].map(aqiOfPm25)).toEqual([0, 50, 100, 150, 200, 300, 500]);
  });

  it('floods an underpass past the road-closure depth in the middle of a rain incident', () => {
    const random = seeded(1);
    const d = device('water-depth');
    const t0 = Date.parse('2026-07-01T12:00:00Z');
    expect(readingOf(d, t0, random).depth).toBeLessThan(2);
    expect(maybeStartIncident(d, t0, 1, random)).toBe(true);
    const mid = (d.incident!.start + d.incident!.end) / 2;
    expect(readingOf(d, mid, random).depth).toBeGreaterThan(27);
    expect(readingOf(d, d.incident!.end + 1, random).depth).toBeLessThan(2);
  });

  it('reports a dead street lamp as on without current, and lamps off by day', () => {
    const random = seeded(2);
    const d = device('street-light');
    const noonShanghai = Date.parse('2026-07-01T04:00:00Z');
    expect(readingOf(d, noonShanghai, random)).toEqual({ on: false, current: 0 });
    maybeStartIncident(d, noonShanghai, 1, random);
    expect(readingOf(d, noonShanghai + 1000, random)).toEqual({ on: true, current: 0 });
    const night = Date.parse('2026-07-01T14:00:00Z');
    expect(readingOf(device('street-light'), night, random).current).toBeGreaterThan(0.5);
  });

  it('repeats a run with the same seed', () => {
    const a = seeded(42);
    const b = seeded(42);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });
});
