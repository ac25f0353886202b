import { describe, expect, it } from 'vitest';
import { caseKindOf, caseNumber, caseNumberDay, parseCaseNumber } from './case-number.ts';
import { at } from './test-fixtures.ts';

describe('case numbers', () => {
  it('builds the documented example', () => {
    expect(caseNumber('E', '06010', at('2026-11-22', '12:00'), 123)).toBe('E0601020261122000123');
    expect(caseNumber('C', '01002', at('2026-11-22', '12:00'), 1)).toBe('C0100220261122000001');
  });

  it('uses the Shanghai date, not the UTC one', () => {
    expect(caseNumberDay(new Date('2026-11-21T16:00:00Z'))).toBe('20261122'); // 00:00 local
    expect(caseNumberDay(new Date('2026-11-21T15:59:59Z'))).toBe('20261121'); // 23:59:59 local
    expect(caseNumber('E', '06010', new Date('2026-12-31T16:30:00Z'), 7)).toBe('E0601020270101000007');
  });

  it('refuses what cannot be numbered', () => {
    const day = at('2026-11-22', '12:00');
    expect(() => caseNumber('E', '0601', day, 1)).toThrow(/matter code/);
    expect(() => caseNumber('X' as 'E', '06010', day, 1)).toThrow(/kind/);
    expect(() => caseNumber('E', '06010', day, 0)).toThrow(/sequence/);
    expect(() => caseNumber('E', '06010', day, 1_000_000)).toThrow(/sequence/);
    expect(() => caseNumber('E', '06010', day, 1.5)).toThrow(/sequence/);
    expect(() => caseNumber('E', '06010', new Date('nope'), 1)).toThrow(/date/);
  });

  it('round-trips', () => {
    for (const [kind, category, date, seq] of [
      ['E', '06010', '2026-11-22', 123],
      ['C', '01023', '2026-02-28', 999_999],
      ['E', '10002', '2028-02-29', 1],
      ['C', '05003', '2026-10-01', 42],
    ] as const) {
      const n = caseNumber(kind, category, at(date, '08:00'), seq);
      expect(n).toHaveLength(20);
      expect(parseCaseNumber(n)).toEqual({ kind, category, date, sequence: seq });
    }
  });

  it('parses leniently on case and spaces, strictly on shape and dates', () => {
    expect(parseCaseNumber(' e0601020261122000123 ')).toMatchObject({ kind: 'E', sequence: 123 });
    for (const bad of [
      '',
      'E060102026112200012', // short
      'E06010202611220001234', // long
      'X0601020261122000123', // kind
      'E0601020260230000123', // 30 February
      'E0601020261322000123', // month 13
      'E0601020261122000000', // sequence 0
      'E06O1020261122000123', // letter O
    ]) {
      expect(parseCaseNumber(bad), bad).toBeUndefined();
    }
  });

  it('tells components from events by major', () => {
    expect(caseKindOf('01002')).toBe('C');
    expect(caseKindOf('05003')).toBe('C');
    expect(caseKindOf('06010')).toBe('E');
    expect(caseKindOf('10002')).toBe('E');
  });
});
