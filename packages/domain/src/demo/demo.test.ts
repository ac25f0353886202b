import { describe, expect, it } from 'vitest';
import { componentMix, cumulativeRanges } from './component-mix.ts';
import { creditCodeCheck, isValidCreditCode, makeCreditCode } from './credit-code.ts';
import {
  areaClassFor,
  cellAreaFor,
  componentId,
  dutyGridCode,
  groupByProximity,
  hilbertIndex,
  unitGridCode,
} from './gridding.ts';
import { chineseNumeral, streetStem, syntheticCommunityName } from './names.ts';
import { createRng } from './prng.ts';
import { shanghaiDistricts, shanghaiStreets, streetsOf } from './shanghai.ts';

describe('seeded PRNG', () => {
  it('repeats for the same seed and differs for another', () => {
    const a = createRng('x');
    const b = createRng('x');
    const c = createRng('y');
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('forks independent streams and draws weighted picks in proportion', () => {
    const r = createRng('w');
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 10_000; i++) counts[r.weighted(['a', 'b'] as const, (k) => (k === 'a' ? 3 : 1))]++;
    expect(counts.a / 10_000).toBeGreaterThan(0.72);
    expect(counts.a / 10_000).toBeLessThan(0.78);
    expect(createRng('w').fork('one').next()).toBe(createRng('w').fork('one').next());
    expect(createRng('w').fork('one').next()).not.toBe(createRng('w').fork('two').next());
  });
});

describe('Shanghai facts', () => {
  it('has the 16 districts and the 234 township-level units with their community counts', () => {
    expect(shanghaiDistricts.map((d) => d.code)).toEqual([
      '310101',
      '310104',
      '310105',
      '310106',
      '310107',
      '310109',
      '310110',
      '310112',
      '310113',
      '310114',
      '310115',
      '310116',
      '310117',
      '310118',
      '310120',
      '310151',
    ]);
    expect(shanghaiStreets).toHaveLength(234);
    expect(shanghaiStreets.reduce((s, x) => s + x.communities, 0)).toBe(6509);
    const huangpu = streetsOf('310101');
    expect(huangpu.map((s) => s.name)).toContain('南京东路街道');
    expect(huangpu.reduce((s, x) => s + x.communities, 0)).toBe(170);
    expect(shanghaiStreets.find((s) => s.code === '310115125')).toMatchObject({ name: '张江镇', kind: '镇' });
    expect(shanghaiStreets.find((s) => s.code === '310115503')?.kind).toBe('类似乡级单位');
  });
});

describe('codes and grid rules', () => {
  it('builds unit grid, duty grid and component codes and refuses bad parts', () => {
    expect(unitGridCode('310101002001', 7)).toBe('310101002001007');
    expect(dutyGridCode('310101002', 12)).toBe('310101002D012');
    expect(componentId('310101', '01001', 123)).toBe('31010101001000123');
    expect(() => unitGridCode('310101002001', 1000)).toThrow(RangeError);
    expect(() => componentId('3101', '01001', 1)).toThrow();
  });

  it('gives central 街道 class A, other 街道 B and villages C', () => {
    expect(areaClassFor({ centralDistrict: true, streetKind: '街道' })).toBe('A');
    expect(areaClassFor({ centralDistrict: false, streetKind: '街道' })).toBe('B');
    expect(areaClassFor({ centralDistrict: false, streetKind: '镇', urbanRuralType: '111' })).toBe('B');
    expect(areaClassFor({ centralDistrict: false, streetKind: '镇', urbanRuralType: '220' })).toBe('C');
  });

  it('grows cells for large communities so that sequences stay within 999', () => {
    expect(cellAreaFor('A', 120_000)).toBe(10_000);
    expect(cellAreaFor('C', 50_000_000)).toBeGreaterThan(50_000_000 / 999);
  });

  it('groups neighbours into runs of about the asked size', () => {
    const pts = Array.from({ length: 400 }, (_, i) => ({ x: i % 20, y: Math.floor(i / 20) }));
    const groups = groupByProximity(pts, (p) => p, 20);
    expect(groups).toHaveLength(20);
    expect(groups.every((g) => g.length === 20)).toBe(true);
    // Hilbert runs are compact: each group spans at most a 5×8 box on a 20×20 lattice.
    for (const g of groups) {
      const w = Math.max(...g.map((p) => p.x)) - Math.min(...g.map((p) => p.x));
      const h = Math.max(...g.map((p) => p.y)) - Math.min(...g.map((p) => p.y));
      expect(w * h).toBeLessThanOrEqual(40);
    }
    expect(hilbertIndex(0, 0, 1)).toBe(0);
    expect(
      new Set([hilbertIndex(0, 0, 1), hilbertIndex(0, 1, 1), hilbertIndex(1, 1, 1), hilbertIndex(1, 0, 1)]),
    ).toEqual(new Set([0, 1, 2, 3]));
  });

  it('draws categories in proportion to their weights', () => {
    const ranges = cumulativeRanges(componentMix);
    expect(ranges[0]!.lo).toBe(0);
    expect(ranges.at(-1)!.hi).toBe(10_000);
    for (const [i, r] of ranges.slice(1).entries()) expect(r.lo).toBe(ranges[i]!.hi);
  });
});

describe('names and credit codes', () => {
  it('writes Chinese numerals and community names', () => {
    expect([1, 10, 11, 20, 21, 105, 110].map(chineseNumeral)).toEqual([
      '一',
      '十',
      '十一',
      '二十',
      '二十一',
      '一百零五',
      '一百一十',
    ]);
    expect(streetStem('南京东路街道')).toBe('南京东路');
    expect(syntheticCommunityName('南京东路街道', '街道', 3, 19)).toEqual({
      name: '南京东路第三居委会',
      kind: '居委会',
    });
    expect(syntheticCommunityName('七宝镇', '镇', 30, 40).kind).toBe('村委会');
  });

  it('makes credit codes whose check character validates', () => {
    const rng = createRng('credit');
    for (let i = 0; i < 50; i++) {
      const code = makeCreditCode(rng, '310101', i % 2 ? 'government' : 'enterprise');
      expect(code).toHaveLength(18);
      expect(isValidCreditCode(code)).toBe(true);
    }
    // A published example from GB 32100 practice: check character of 91350100M000100Y4 is 3.
    expect(creditCodeCheck('91350100M000100Y4')).toBe('3');
  });
});
