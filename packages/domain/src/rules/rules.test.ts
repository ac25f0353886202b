import { describe, expect, it } from 'vitest';
import { evaluateRule, initialRuleState, ruleMetrics, ruleNeedsTick } from './evaluate.ts';
import type { RuleNode, RuleOutcome, RuleState } from './types.ts';

const MIN = 60_000;
const t0 = Date.parse('2026-07-01T00:00:00Z');

/** Feeds readings of one metric (value at minute offsets) and collects the outcomes. */
function run(node: RuleNode, series: Array<[minute: number, value: number | boolean]>, metric = 'depth') {
  let state: RuleState = initialRuleState(node);
  const outcomes: RuleOutcome[] = [];
  for (const [m, value] of series) {
    const r = evaluateRule(node, state, { metric, value, ts: t0 + m * MIN }, t0 + m * MIN);
    state = r.state;
    outcomes.push(r.outcome);
  }
  return { outcomes, state };
}

describe('threshold with hysteresis', () => {
  const node: RuleNode = { kind: 'threshold', metric: 'depth', op: '>', value: 15, clear: 10 };

  it('raises once for a value wobbling around the limit and clears only below the clear level', () => {
    const { outcomes } = run(node, [
      [0, 5],
      [1, 15.5],
      [2, 14.5],
      [3, 16],
      [4, 11],
      [5, 15.2],
      [6, 9.9],
      [7, 12],
    ]);
    expect(outcomes).toEqual(['none', 'raise', 'none', 'none', 'none', 'none', 'clear', 'none']);
  });

  it('without a clear level flaps with the value', () => {
    const plain: RuleNode = { kind: 'threshold', metric: 'depth', op: '>', value: 15 };
    expect(
      run(plain, [
        [0, 16],
        [1, 14],
        [2, 16],
      ]).outcomes,
    ).toEqual(['raise', 'clear', 'raise']);
  });

  it('works downwards and on booleans as 0/1, and ignores other metrics', () => {
    const low: RuleNode = { kind: 'threshold', metric: 'current', op: '<', value: 0.1, clear: 0.5 };
    expect(
      run(
        low,
        [
          [0, 1],
          [1, 0.05],
          [2, 0.3],
          [3, 0.6],
        ],
        'current',
      ).outcomes,
    ).toEqual(['none', 'raise', 'none', 'clear']);
    const flag: RuleNode = { kind: 'threshold', metric: 'open', op: '>=', value: 1 };
    expect(
      run(
        flag,
        [
          [0, false],
          [1, true],
        ],
        'open',
      ).outcomes,
    ).toEqual(['none', 'raise']);
    expect(run(node, [[0, 99]], 'pm25').outcomes).toEqual(['none']);
  });
});

describe('equals', () => {
  it('is active while the metric has the value', () => {
    const node: RuleNode = { kind: 'equals', metric: 'open', value: true };
    expect(
      run(
        node,
        [
          [0, false],
          [1, true],
          [2, true],
          [3, false],
        ],
        'open',
      ).outcomes,
    ).toEqual(['none', 'raise', 'none', 'clear']);
  });
});

describe('duration', () => {
  const node: RuleNode = {
    kind: 'duration',
    seconds: 300,
    of: { kind: 'threshold', metric: 'depth', op: '>', value: 15, clear: 12 },
  };

  it('raises only after the condition held for the whole duration', () => {
    const { outcomes } = run(node, [
      [0, 16],
      [2, 17],
      [4, 10], // interrupted: the clock starts again
      [5, 18],
      [9, 19],
      [10, 20],
      [11, 14], // above the clear level: still raised
      [12, 11],
    ]);
    expect(outcomes).toEqual(['none', 'none', 'none', 'none', 'none', 'raise', 'none', 'clear']);
  });

  it('raises on a clock tick when the sensor stays quiet while the condition holds', () => {
    let state = initialRuleState(node);
    state = evaluateRule(node, state, { metric: 'depth', value: 20, ts: t0 }, t0).state;
    const early = evaluateRule(node, state, null, t0 + 4 * MIN);
    expect(early.outcome).toBe('none');
    const late = evaluateRule(node, early.state, null, t0 + 5 * MIN + 1000);
    expect(late.outcome).toBe('raise');
    expect(late.detail?.reason).toMatch(/depth 20 > 15 for 30\d s|for 30\d s/);
  });
});

describe('rate of change', () => {
  const node: RuleNode = { kind: 'rate', metric: 'depth', perMinute: 2, direction: 'rise', clear: 0.5 };

  it('raises on a fast rise and clears when the rise slows down', () => {
    const { outcomes, state } = run(node, [
      [0, 0],
      [1, 1],
      [2, 4], // +3/min
      [3, 5], // +1/min: above the clear rate
      [4, 5.2], // +0.2/min: clears
    ]);
    expect(outcomes).toEqual(['none', 'none', 'raise', 'none', 'clear']);
    expect(state).toMatchObject({ active: false, rate: expect.closeTo(0.2, 5) });
  });

  it('ignores readings older than the last one and falls are not rises', () => {
    const { outcomes } = run(node, [
      [5, 10],
      [4, 0], // out of order: ignored
      [6, 5], // falling
    ]);
    expect(outcomes).toEqual(['none', 'none', 'none']);
    const either: RuleNode = { kind: 'rate', metric: 'depth', perMinute: 2, direction: 'either' };
    expect(
      run(either, [
        [0, 10],
        [1, 5],
      ]).outcomes,
    ).toEqual(['none', 'raise']);
  });
});

describe('no data', () => {
  const node: RuleNode = { kind: 'noData', seconds: 600 };

  it('raises on a tick after silence and clears on the next reading', () => {
    let state = evaluateRule(node, undefined, { metric: 'depth', value: 1, ts: t0 }, t0).state;
    const quiet = evaluateRule(node, state, null, t0 + 9 * MIN);
    expect(quiet.outcome).toBe('none');
    const silent = evaluateRule(node, quiet.state, null, t0 + 11 * MIN);
    expect(silent.outcome).toBe('raise');
    expect(silent.detail?.reason).toBe('no data for 660 s');
    state = silent.state;
    const back = evaluateRule(node, state, { metric: 'depth', value: 1, ts: t0 + 12 * MIN }, t0 + 12 * MIN);
    expect(back.outcome).toBe('clear');
  });

  it('starts the clock at the first tick for a device that never reported', () => {
    const first = evaluateRule(node, undefined, null, t0);
    expect(first.outcome).toBe('none');
    expect(evaluateRule(node, first.state, null, t0 + 11 * MIN).outcome).toBe('raise');
  });
});

describe('AND / OR', () => {
  const node: RuleNode = {
    kind: 'all',
    of: [
      { kind: 'equals', metric: 'smoke', value: true },
      { kind: 'threshold', metric: 'obscuration', op: '>', value: 5 },
    ],
  };

  it('AND raises when both hold and clears when one stops', () => {
    let state = initialRuleState(node);
    const step = (metric: string, value: number | boolean, m: number) => {
      const r = evaluateRule(node, state, { metric, value, ts: t0 + m * MIN }, t0 + m * MIN);
      state = r.state;
      return r;
    };
    expect(step('smoke', true, 0).outcome).toBe('none');
    const raised = step('obscuration', 8, 1);
    expect(raised.outcome).toBe('raise');
    expect(raised.detail?.reason).toBe('smoke is true and obscuration 8 > 5');
    expect(step('obscuration', 9, 2).outcome).toBe('none');
    expect(step('smoke', false, 3).outcome).toBe('clear');
  });

  it('OR raises on either and clears when none holds; nested durations tick', () => {
    const any: RuleNode = {
      kind: 'any',
      of: [
        { kind: 'threshold', metric: 'pm25', op: '>', value: 150 },
        { kind: 'duration', seconds: 3600, of: { kind: 'threshold', metric: 'pm25', op: '>', value: 75 } },
      ],
    };
    expect(ruleNeedsTick(any)).toBe(true);
    expect(ruleMetrics(any)).toEqual(['pm25']);
    expect(
      run(
        any,
        [
          [0, 80],
          [30, 90],
          [61, 100],
          [62, 200],
          [63, 50],
        ],
        'pm25',
      ).outcomes,
    ).toEqual(['none', 'none', 'raise', 'none', 'clear']);
  });
});

describe('states survive JSON', () => {
  it('continues the same way after a round trip through JSON (persisted across restarts)', () => {
    const node: RuleNode = {
      kind: 'duration',
      seconds: 60,
      of: { kind: 'equals', metric: 'open', value: true },
    };
    const a = evaluateRule(node, undefined, { metric: 'open', value: true, ts: t0 }, t0);
    const restored = JSON.parse(JSON.stringify(a.state)) as RuleState;
    const b = evaluateRule(node, restored, { metric: 'open', value: true, ts: t0 + 61_000 }, t0 + 61_000);
    expect(b.outcome).toBe('raise');
  });
});
