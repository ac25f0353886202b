import { describe, expect, it } from 'vitest';
import {
  type CatalogueCsvRow,
  catalogueKind,
  confusionOf,
  legacyMappings,
  localCategoryProblem,
  nextLocalCode,
  normaliseCategoryName,
} from './categories.ts';

const row = (standard: string, kind: string, code: string, name: string): CatalogueCsvRow => ({
  standard,
  kind,
  major_code: code.slice(0, 2),
  major_name: '',
  code,
  name,
});

describe('category catalogue rules', () => {
  it('tells current rows from legacy ones', () => {
    expect(catalogueKind('GB/T 47678.5-2026', 'event')).toBe('event');
    expect(catalogueKind('GB/T 30428.2-2013', 'component')).toBe('legacy-component');
    expect(catalogueKind('CJ/T 214-2007', 'event')).toBe('legacy-event');
  });

  it('maps legacy codes by name, across spelling variants, and never guesses', () => {
    const rows = [
      row('GB/T 47678.5-2026', 'component', '01007', '通信井盖'),
      row('GB/T 47678.5-2026', 'component', '01021', '输油（气）井盖'),
      row('GB/T 47678.5-2026', 'event', '06010', '暴露垃圾'),
      row('GB/T 30428.2-2013', 'component', '0107', '通讯井盖'),
      row('GB/T 30428.2-2013', 'component', '0129', '输油(气)井盖'),
      row('GB/T 30428.2-2013', 'component', '0136', '监控电子眼'),
      row('CJ/T 214-2007', 'event', '0102', '暴露垃圾'),
    ];
    const m = legacyMappings(rows);
    expect(m.get('legacy-component:0107')).toBe('01007');
    expect(m.get('legacy-component:0129')).toBe('01021');
    expect(m.get('legacy-event:0102')).toBe('06010');
    expect(m.has('legacy-component:0136')).toBe(false);
    expect(normaliseCategoryName(' 垃圾站（箱）满溢 ')).toBe('垃圾站(箱)满溢');
  });

  it('numbers local minors down from 999 and validates majors', () => {
    expect(nextLocalCode('06', [])).toBe('06999');
    expect(nextLocalCode('06', ['06999', '06998'])).toBe('06997');
    const full = Array.from({ length: 100 }, (_, i) => `06${999 - i}`);
    expect(nextLocalCode('06', full)).toBeUndefined();
    expect(localCategoryProblem('event', '06')).toBeUndefined();
    expect(localCategoryProblem('event', '01')).toMatch(/not a event major/);
    expect(localCategoryProblem('component', '01', '01050')).toMatch(/local codes run/);
    expect(localCategoryProblem('legacy-event', '01')).toBeDefined();
  });

  it('knows the confusable pairs and their hints', () => {
    expect(confusionOf('06010')?.confusableWith).toEqual(['06042', '06011']);
    expect(confusionOf('09006')?.confusableWith).toEqual(['09005']);
    expect(confusionOf('09006')?.hint).toMatch(/占道经营/);
    expect(confusionOf('01001')).toBeUndefined();
  });
});
