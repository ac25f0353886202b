import { describe, expect, it } from 'vitest';
import { type AspectCounters, assessAspects, defaultAspectConfig } from './aspects.ts';
import { assessmentConfig, defaultAssessmentConfig as cfg } from './config.ts';
import { gradeOf } from './formulas.ts';

const grade = (s: number | null) => gradeOf(s, cfg);
const zero: AspectCounters = {
  filed: 0,
  publicConfirmed: 0,
  verifyDue: 0,
  verifyOnTime: 0,
  checkDue: 0,
  checkOnTime: 0,
  filingDue: 0,
  filedOnTime: 0,
  voided: 0,
  dispatched: 0,
  dispatchDue: 0,
  dispatchedOnTime: 0,
  returns: 0,
  handled: 0,
  handledOnTime: 0,
  openOverdue: 0,
  closed: 0,
  closedOnTime: 0,
  reworks: 0,
  extensions: 0,
  suspensions: 0,
};

describe('four-aspect summary (hand-computed)', () => {
  it('maps every indicator to one aspect, weights summing to 1', () => {
    const seen = new Set<string>();
    for (const a of Object.values(defaultAspectConfig)) {
      const sum = Object.values(a.indicators).reduce((x, y) => x + y, 0);
      expect(sum).toBeCloseTo(1, 10);
      for (const k of Object.keys(a.indicators)) {
        expect(seen.has(k), k).toBe(false);
        seen.add(k);
      }
    }
    expect(Object.values(defaultAspectConfig).reduce((x, a) => x + a.weight, 0)).toBeCloseTo(1, 10);
  });

  it('scores a busy area', () => {
    const c: AspectCounters = {
      ...zero,
      filed: 20,
      publicConfirmed: 4, // self-found 1 − 4/20 = 80
      verifyDue: 5,
      verifyOnTime: 4, // 80
      checkDue: 10,
      checkOnTime: 9, // 90
      filingDue: 20,
      filedOnTime: 18, // 90
      voided: 2, // accurate filing 18/20 = 90
      dispatched: 16,
      dispatchDue: 16,
      dispatchedOnTime: 12, // 75
      returns: 4, // accurate dispatch 12/16 = 75
      handled: 15,
      handledOnTime: 12,
      openOverdue: 5, // due to handle 20: on-time handling 60; due to close = closed 15 + 5 = 20
      closed: 15, // closing 75
      closedOnTime: 12, // 80
      reworks: 2, // 1 − 2/20 = 90
      extensions: 4, // 1 − 4/16 = 75
      suspensions: 0, // 100
    };
    const s = assessAspects(c, 70, defaultAspectConfig, grade);
    expect(s.indicators).toEqual({
      selfFound: 80,
      onTimeVerify: 80,
      onTimeCheck: 90,
      onTimeFiling: 90,
      accurateFiling: 90,
      onTimeDispatch: 75,
      accurateDispatch: 75,
      closing: 75,
      onTimeHandling: 60,
      onTimeClosing: 80,
      rework: 90,
      filedCount: 70,
      extension: 75,
      suspension: 100,
    });
    // discovery 80×.4 + 80×.3 + 90×.3 = 32 + 24 + 27 = 83
    // command (90 + 90 + 75 + 75) × .25 = 82.5
    // supervision 75×.3 + 60×.3 + 80×.2 + 90×.2 = 22.5 + 18 + 16 + 18 = 74.5
    // mechanism 70×.5 + 75×.25 + 100×.25 = 35 + 18.75 + 25 = 78.75
    expect(s.aspects).toEqual({ discovery: 83, command: 82.5, supervision: 74.5, mechanism: 78.75 });
    // (83 + 82.5 + 74.5 + 78.75) / 4 = 79.6875 → 79.69
    expect(s.score).toBe(79.69);
    expect(s.grade).toBe('B');
  });

  it('leaves out what has a zero denominator; nothing at all gives null', () => {
    // A quiet area: no case to judge. Its grids' filed-count 100 alone is no score (issue 18: a
    // "last year" of 100 made from one indicator of thirteen); it has no data.
    const quiet = assessAspects(zero, 100, defaultAspectConfig, grade);
    expect(quiet.aspects).toEqual({ discovery: null, command: null, supervision: null, mechanism: null });
    expect(quiet).toMatchObject({ score: null, grade: null });
    expect(quiet.indicators.filedCount).toBeNull();
    // One case filed: the filed-count score counts again beside what can be judged.
    const one = assessAspects({ ...zero, filed: 1 }, 90, defaultAspectConfig, grade);
    expect(one.indicators.filedCount).toBe(90);
    // No grids either (a department's cases without a grid): nothing to judge.
    const none = assessAspects(zero, null, defaultAspectConfig, grade);
    expect(none).toMatchObject({ score: null, grade: null });
    // Only verification happened: discovery is judged on it alone (weights renormalised).
    const verified = assessAspects(
      { ...zero, verifyDue: 4, verifyOnTime: 1 },
      null,
      defaultAspectConfig,
      grade,
    );
    expect(verified.aspects.discovery).toBe(25);
    expect(verified.score).toBe(25);
    expect(verified.grade).toBe('E');
  });

  it('never scores below 0 when reworks outnumber what was due', () => {
    const s = assessAspects(
      { ...zero, closed: 1, closedOnTime: 1, reworks: 3, handled: 1, handledOnTime: 1 },
      null,
      defaultAspectConfig,
      grade,
    );
    expect(s.indicators.rework).toBe(0);
    // 100×.3 + 100×.3 + 100×.2 + 0×.2 = 80
    expect(s.aspects.supervision).toBe(80);
  });

  it('takes the mapping and weights from configuration', () => {
    const c = assessmentConfig({
      aspects: {
        mechanism: { weight: 0.25, indicators: { filedCount: 1, extension: 0, suspension: 0 } },
        discovery: { weight: 0 },
      },
    });
    expect(c.aspects.discovery.indicators).toEqual(defaultAspectConfig.discovery.indicators);
    const s = assessAspects(
      { ...zero, filed: 1, publicConfirmed: 1, dispatched: 2, extensions: 2 },
      40,
      c.aspects,
      grade,
    );
    expect(s.aspects.mechanism).toBe(40); // extension has weight 0: left out
    expect(s.aspects.discovery).toBe(0); // still shown, 1 of 1 filed was a public report
    expect(s.aspects.command).toBe(100); // accurate filing: 1 filed, none voided
    // discovery weighs nothing: (100×.25 + 40×.25) / .5 = 70
    expect(s.score).toBe(70);
  });
});
