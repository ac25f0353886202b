import { describe, expect, it } from 'vitest';
import { assessmentConfig, defaultAssessmentConfig as cfg } from './config.ts';
import {
  assessArea,
  assessDepartment,
  assessDispatcher,
  assessInspector,
  assessOperator,
  assessShiftLead,
  bandScore,
  gradeOf,
  gridFiledScore,
  rankByScore,
  rate,
  weightedScore,
} from './formulas.ts';

describe('rates and bands', () => {
  it('divides, and gives null for a zero denominator', () => {
    expect(rate(3, 4)).toBe(0.75);
    expect(rate(0, 4)).toBe(0);
    expect(rate(0, 0)).toBeNull();
  });
  it('scores volume bands at every edge (more is better)', () => {
    const v = cfg.volumeBands;
    expect([0, 100, 101, 300, 301, 500, 501, 1200, 1201, 2000, 2001].map((n) => bandScore(n, v))).toEqual([
      0, 0, 40, 40, 60, 60, 75, 75, 90, 90, 100,
    ]);
  });
  it('scores department case counts (fewer is better) and per-group bands', () => {
    const b = cfg.caseCountBands.default;
    expect([0, 50, 51, 100, 101, 200, 201, 500, 501, 1000, 1001].map((n) => bandScore(n, b))).toEqual([
      100, 100, 90, 90, 75, 75, 60, 60, 40, 40, 0,
    ]);
    const c = assessmentConfig({
      caseCountBands: {
        big: [
          { upTo: 5000, score: 100 },
          { upTo: null, score: 0 },
        ],
      },
      departmentGroups: { 'd-big': 'big' },
    });
    expect(
      assessDepartment(
        'd-big',
        { cases: 3000, dueToClose: 0, closed: 0, dueToHandle: 0, handledOnTime: 0, reworks: 0 },
        c,
      ).parts.caseCount,
    ).toBe(100);
    expect(
      assessDepartment(
        'd-small',
        { cases: 3000, dueToClose: 0, closed: 0, dueToHandle: 0, handledOnTime: 0, reworks: 0 },
        c,
      ).parts.caseCount,
    ).toBe(0);
  });
  it('scores filed counts per grid by area class (A → class 1, B/C → class 2)', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => gridFiledScore(n, 'A', cfg))).toEqual([
      100, 90, 90, 75, 75, 60, 60, 40, 40, 0,
    ]);
    expect([0, 1, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => gridFiledScore(n, 'C', cfg))).toEqual([
      100, 90, 90, 75, 75, 60, 60, 40, 40, 0,
    ]);
    expect(gridFiledScore(3, 'B', cfg)).toBe(90);
    const allStrict = assessmentConfig({ filedCountClassOf: { B: 1 } });
    expect(gridFiledScore(3, 'B', allStrict)).toBe(75);
  });
  it('grades at the floors, with colours', () => {
    expect([100, 90, 89.99, 75, 74.99, 60, 59.99, 40, 39.99, 0].map((s) => gradeOf(s, cfg))).toEqual([
      'A',
      'A',
      'B',
      'B',
      'C',
      'C',
      'D',
      'D',
      'E',
      'E',
    ]);
    expect(gradeOf(null, cfg)).toBeNull();
    expect(cfg.gradeColours).toEqual({ A: 'green', B: 'blue', C: 'yellow', D: 'red', E: 'black' });
  });
  it('renormalises the weights over the components that exist', () => {
    expect(
      weightedScore([
        { score: 100, weight: 0.4 },
        { score: 50, weight: 0.6 },
      ]),
    ).toBe(70);
    // 100×0.4 / 0.4 — the null component is left out, not scored 0 or 100.
    expect(
      weightedScore([
        { score: 100, weight: 0.4 },
        { score: null, weight: 0.6 },
      ]),
    ).toBe(100);
    expect(weightedScore([{ score: null, weight: 1 }])).toBeNull();
  });
});

describe('level formulas (hand-computed)', () => {
  it('inspector: valid 40 + (1 − missed) 20 + verify 20 + check 20', () => {
    const a = assessInspector(
      { reported: 10, filed: 8, missed: 2, verifyDue: 4, verifyOnTime: 3, checkDue: 5, checkOnTime: 5 },
      cfg,
    );
    expect(a.rates).toEqual({ validReport: 0.8, missedReport: 0.25, onTimeVerify: 0.75, onTimeCheck: 1 });
    // 80×.4 + 75×.2 + 75×.2 + 100×.2 = 32 + 15 + 15 + 20 = 82
    expect(a.score).toBe(82);
    expect(a.grade).toBe('B');
  });
  it('inspector: nothing reported, nothing checked → judged on what exists', () => {
    const a = assessInspector(
      { reported: 0, filed: 0, missed: 3, verifyDue: 2, verifyOnTime: 1, checkDue: 0, checkOnTime: 0 },
      cfg,
    );
    expect(a.rates.validReport).toBeNull();
    expect(a.rates.missedReport).toBeNull();
    expect(a.score).toBe(50);
    const none = assessInspector(
      { reported: 0, filed: 0, missed: 0, verifyDue: 0, verifyOnTime: 0, checkDue: 0, checkOnTime: 0 },
      cfg,
    );
    expect(none).toMatchObject({ score: null, grade: null });
  });
  it('inspector: more missed than filed floors at 0', () => {
    const a = assessInspector(
      { reported: 1, filed: 1, missed: 3, verifyDue: 0, verifyOnTime: 0, checkDue: 0, checkOnTime: 0 },
      cfg,
    );
    expect(a.parts.missedReport).toBe(0);
    expect(a.score).toBe(round((100 * 0.4) / 0.6));
  });
  it('operator: volume 25 + verify-dispatch 40 + check-dispatch 35', () => {
    const a = assessOperator(
      {
        volume: 600,
        verifyDispatched: 10,
        verifyDispatchedOnTime: 9,
        checkDispatched: 4,
        checkDispatchedOnTime: 2,
      },
      cfg,
    );
    // 75×.25 + 90×.4 + 50×.35 = 18.75 + 36 + 17.5 = 72.25
    expect(a.score).toBe(72.25);
    expect(a.grade).toBe('C');
    const noCheck = assessOperator(
      {
        volume: 50,
        verifyDispatched: 2,
        verifyDispatchedOnTime: 2,
        checkDispatched: 0,
        checkDispatchedOnTime: 0,
      },
      cfg,
    );
    // (0×.25 + 100×.4) / .65
    expect(noCheck.score).toBe(round(40 / 0.65));
  });
  it('shift lead: on-time filing 25 + accurate filing 40 + on-time closing 35', () => {
    const a = assessShiftLead(
      { filed: 10, filingDue: 10, filedOnTime: 8, voided: 1, closed: 4, closedOnTime: 3 },
      cfg,
    );
    expect(a.rates).toEqual({ onTimeFiling: 0.8, accurateFiling: 0.9, onTimeClosing: 0.75 });
    // 80×.25 + 90×.4 + 75×.35 = 20 + 36 + 26.25 = 82.25
    expect(a.score).toBe(82.25);
  });
  it('dispatcher: volume 20 + on-time 40 + accurate 40', () => {
    const a = assessDispatcher(
      { dispatched: 2500, dispatchDue: 2500, dispatchedOnTime: 2000, returned: 250 },
      cfg,
    );
    // 100×.2 + 80×.4 + 90×.4 = 20 + 32 + 36 = 88
    expect(a.score).toBe(88);
    expect(a.grade).toBe('B');
  });
  it('department: count 10 + closing 30 + on-time 30 + (1 − rework) 30', () => {
    const a = assessDepartment(
      'd',
      { cases: 120, dueToClose: 10, closed: 9, dueToHandle: 8, handledOnTime: 6, reworks: 1 },
      cfg,
    );
    expect(a.rates).toEqual({ closing: 0.9, onTimeHandling: 0.75, rework: 0.1 });
    // 75×.1 + 90×.3 + 75×.3 + 90×.3 = 7.5 + 27 + 22.5 + 27 = 84
    expect(a.score).toBe(84);
  });
  it('area: public 10 + filed count 20 + closing 30 + on-time closing 40, grid scores averaged', () => {
    const a = assessArea(
      { filed: 10, publicConfirmed: 2, dueToClose: 8, closed: 6, closedOnTime: 3 },
      [100, 90, 75, 75],
      cfg,
    );
    expect(a.rates).toEqual({ publicReport: 0.2, closing: 0.75, onTimeClosing: 0.5 });
    // 80×.1 + 85×.2 + 75×.3 + 50×.4 = 8 + 17 + 22.5 + 20 = 67.5
    expect(a.score).toBe(67.5);
    expect(a.grade).toBe('C');
    const quiet = assessArea(
      { filed: 0, publicConfirmed: 0, dueToClose: 0, closed: 0, closedOnTime: 0 },
      [100],
      cfg,
    );
    // No case to judge: no data (unranked, left out of comparisons), not a 100 from quiet grids.
    expect(quiet).toMatchObject({ score: null, grade: null });
  });
  it('ranks by score with ties, nulls last', () => {
    const r = rankByScore([
      { id: 'a', score: 80 },
      { id: 'b', score: null },
      { id: 'c', score: 90 },
      { id: 'd', score: 80 },
    ]);
    expect(r.map((x) => [x.id, x.rank])).toEqual([
      ['c', 1],
      ['a', 2],
      ['d', 2],
      ['b', null],
    ]);
  });
});

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
