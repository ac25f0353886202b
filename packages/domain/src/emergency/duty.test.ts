import { describe, expect, it } from 'vitest';
import { dutyPlatformChain, resolveDuty, shiftProblems } from './duty.ts';

const t = (h: number) => new Date(Date.UTC(2026, 11, 8, h));

describe('duty platforms', () => {
  it('asks the street, then the district, then the city; grids and communities start at their street', () => {
    expect(dutyPlatformChain('310101002001003')).toEqual(['310101002', '310101', '3101']);
    expect(dutyPlatformChain('310101002001')).toEqual(['310101002', '310101', '3101']);
    expect(dutyPlatformChain('310101')).toEqual(['310101', '3101']);
    expect(dutyPlatformChain('3101')).toEqual(['3101']);
    expect(dutyPlatformChain('31x')).toBeUndefined();
  });

  it('answers with the nearest platform that has someone on shift at that time', () => {
    const shifts = [
      { id: 1, areaCode: '3101', startsAt: t(0), endsAt: t(24) },
      { id: 2, areaCode: '310101', startsAt: t(8), endsAt: t(20) },
      { id: 3, areaCode: '310101002', startsAt: t(20), endsAt: t(23) },
    ];
    expect(resolveDuty('310101002001', shifts, t(9))).toEqual({ platform: '310101', shifts: [shifts[1]] });
    // Ends are exclusive: at 20:00 the street's shift has begun and the district's has ended.
    expect(resolveDuty('310101002001', shifts, t(20))?.platform).toBe('310101002');
    expect(resolveDuty('310104001', shifts, t(9))?.platform).toBe('3101');
    expect(resolveDuty('310104001', shifts, t(25))).toBeUndefined();
  });

  it('checks a shift as entered', () => {
    expect(shiftProblems({ areaCode: '310101', startsAt: t(0), endsAt: t(12) })).toEqual([]);
    expect(shiftProblems({ areaCode: '310101002001', startsAt: t(0), endsAt: t(12) })[0]).toMatch(/platform/);
    expect(shiftProblems({ areaCode: '310101', startsAt: t(12), endsAt: t(12) })).toEqual([
      'endsAt must be after startsAt',
    ]);
    expect(shiftProblems({ areaCode: '310101', startsAt: t(0), endsAt: t(49) })[0]).toMatch(/48 hours/);
  });
});
