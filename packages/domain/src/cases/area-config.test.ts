import { describe, expect, it } from 'vitest';
import { configForArea, ownsArea } from './area-config.ts';
import { defaultCaseConfig } from './config.ts';
import { findLimit, natural } from './deadlines.ts';

describe('per-level loop settings', () => {
  const layers = [
    {
      areaCode: '310101',
      settings: { deadlineRules: [{ category: '*', limits: { filing: natural(7, 'minutes') } }] },
    },
    {
      areaCode: '310101002',
      settings: {
        deadlineRules: [{ category: '06', limits: { filing: natural(5, 'minutes') } }],
        autoDispatchCategories: ['07'],
      },
    },
  ];
  const key = { category: '06010', urgency: 'normal' as const, areaClass: 'A' as const };

  it('lets the most specific area win and keeps the city as the default', () => {
    const street = configForArea(defaultCaseConfig, layers, '310101002001001');
    expect(findLimit(street.config.deadlineRules, 'filing', key)).toEqual(natural(5, 'minutes'));
    expect(street.origins).toEqual({
      calendar: 'city',
      deadlineRules: '310101002',
      autoDispatchCategories: '310101002',
    });
    // A district rule for any category still beats the city's exact-category rule.
    const district = configForArea(defaultCaseConfig, layers, '310101001');
    expect(findLimit(district.config.deadlineRules, 'filing', key)).toEqual(natural(7, 'minutes'));
    // Inherited rules cover the steps the local ones leave out.
    expect(findLimit(district.config.deadlineRules, 'handling', key)).toEqual(
      findLimit(defaultCaseConfig.deadlineRules, 'handling', key),
    );
    const elsewhere = configForArea(defaultCaseConfig, layers, '310104001');
    expect(elsewhere.config).toBe(defaultCaseConfig);
  });

  it('gives an administrator its own subtree and the city defaults only to the city', () => {
    expect(ownsArea('310101', '310101002')).toBe(true);
    expect(ownsArea('310101', '310104')).toBe(false);
    expect(ownsArea('310101', undefined)).toBe(false);
    expect(ownsArea('3101', undefined)).toBe(true);
  });
});
