import { describe, expect, it } from 'vitest';
import { defaultCaseConfig } from './config.ts';
import {
  autoMergeTarget,
  type DuplicateCandidate,
  defaultDuplicateOptions,
  findDuplicates,
  haversineMeters,
  type NewReport,
} from './duplicates.ts';
import { plusMinutes, T0 } from './test-fixtures.ts';

const here = { lng: 121.4737, lat: 31.2304 };
/** A point `m` metres north of here (1° of latitude ≈ 111,195 m on the mean sphere). */
const north = (m: number) => ({ lng: here.lng, lat: here.lat + m / 111_195 });
const east = (m: number) => ({
  lng: here.lng + m / (111_195 * Math.cos((here.lat * Math.PI) / 180)),
  lat: here.lat,
});

const cand = (id: string, over: Partial<DuplicateCandidate> = {}): DuplicateCandidate => ({
  id,
  category: '06010',
  location: here,
  reportedAt: plusMinutes(T0, -60),
  status: 'dispatched',
  ...over,
});
const report: NewReport = { category: '06010', location: here, reportedAt: T0, source: 'public' };

describe('haversineMeters', () => {
  it('measures short and long distances', () => {
    expect(haversineMeters(here, here)).toBe(0);
    expect(haversineMeters(here, north(30))).toBeCloseTo(30, 3);
    expect(haversineMeters(here, east(30))).toBeCloseTo(30, 1);
    // People's Square to Beijing Tian'anmen ≈ 1,067 km.
    expect(haversineMeters(here, { lng: 116.3975, lat: 39.9087 }) / 1000).toBeCloseTo(1067, -1);
    expect(haversineMeters(north(10), here)).toBeCloseTo(haversineMeters(here, north(10)), 9);
  });
});

describe('findDuplicates', () => {
  it('returns open cases of the same category within distance and time, nearest first', () => {
    const found = findDuplicates(report, [
      cand('far', { location: north(45) }),
      cand('near', { location: east(5) }),
      cand('too-far', { location: north(60) }),
      cand('other-category', { category: '06011' }),
      cand('closed', { status: 'closed' }),
      cand('merged', { status: 'merged' }),
      cand('rejected', { status: 'rejected' }),
      cand('old', { reportedAt: plusMinutes(T0, -73 * 60) }),
      cand('suspended', { status: 'suspended', location: north(20) }),
    ]);
    expect(found.map((m) => m.candidate.id)).toEqual(['near', 'suspended', 'far']);
    expect(found[0]?.distanceMeters).toBeCloseTo(5, 1);
    expect(found[0]?.minutesApart).toBe(60);
  });

  it('counts the window both ways (phones sync late) and includes its edges', () => {
    const found = findDuplicates(report, [
      cand('later', { reportedAt: plusMinutes(T0, 30) }),
      cand('edge', { reportedAt: plusMinutes(T0, -72 * 60), location: north(10) }),
    ]);
    expect(found.map((m) => m.candidate.id)).toEqual(['later', 'edge']);
  });

  it('breaks distance ties by the earliest case, then by id', () => {
    const found = findDuplicates(report, [
      cand('b', { reportedAt: plusMinutes(T0, -10) }),
      cand('c', { reportedAt: plusMinutes(T0, -20) }),
      cand('a', { reportedAt: plusMinutes(T0, -10) }),
    ]);
    expect(found.map((m) => m.candidate.id)).toEqual(['c', 'a', 'b']);
  });

  it('takes its radius and window from options', () => {
    const options = { ...defaultDuplicateOptions, radiusMeters: 100, windowMinutes: 30 };
    const found = findDuplicates(
      report,
      [cand('x', { location: north(80), reportedAt: plusMinutes(T0, -20) })],
      options,
    );
    expect(found).toHaveLength(1);
    expect(findDuplicates(report, [cand('x', { location: north(80) })], options)).toHaveLength(0);
  });
});

describe('autoMergeTarget', () => {
  const cfg = defaultCaseConfig;
  const matches = (...c: DuplicateCandidate[]) => findDuplicates({ ...report, source: 'iot' }, c);

  it('merges a machine report into the nearest case within the auto-merge radius', () => {
    const m = matches(cand('near', { location: north(10) }), cand('nearer', { location: north(3) }));
    expect(autoMergeTarget({ ...report, source: 'camera' }, m, cfg)?.candidate.id).toBe('nearer');
  });

  it('leaves a farther match to the operator', () => {
    const m = matches(cand('x', { location: north(40) }));
    expect(m).toHaveLength(1);
    expect(autoMergeTarget({ ...report, source: 'iot' }, m, cfg)).toBeUndefined();
  });

  it('prefers an open case raised by the same device', () => {
    const m = matches(
      cand('other', { location: north(2), deviceId: 'd-2' }),
      cand('mine', { location: north(40), deviceId: 'd-1' }),
    );
    expect(autoMergeTarget({ ...report, source: 'iot', deviceId: 'd-1' }, m, cfg)?.candidate.id).toBe('mine');
    expect(autoMergeTarget({ ...report, source: 'iot', deviceId: 'd-9' }, m, cfg)?.candidate.id).toBe(
      'other',
    );
  });

  it("never merges a person's report by itself", () => {
    const m = matches(cand('x'));
    for (const source of ['public', 'inspector', 'hotline', 'open311'] as const) {
      expect(autoMergeTarget({ ...report, source }, m, cfg)).toBeUndefined();
    }
    expect(autoMergeTarget({ ...report, source: undefined }, m, cfg)).toBeUndefined();
    expect(autoMergeTarget({ ...report, source: 'iot' }, [], cfg)).toBeUndefined();
  });
});
