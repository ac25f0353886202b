import { describe, expect, it } from 'vitest';
import { evaluateRule, initialRuleState } from './evaluate.ts';
import { reasonInChinese } from './explain.ts';
import type { RuleNode } from './types.ts';

const names: Record<string, string> = { smoke: '烟感', depth: '积水深度', level: '水位' };
const zh = (r: string) => reasonInChinese(r, (m) => names[m] ?? m);
const latin = /[A-Za-z]{2,}/;

describe('reasonInChinese', () => {
  it('reads every sentence the engine writes in Chinese', () => {
    expect(zh('smoke is true')).toBe('烟感为是');
    expect(zh('smoke is no longer true')).toBe('烟感不再为是');
    expect(zh('depth 18 > 15')).toBe('积水深度 18，高于限值 15');
    expect(zh('depth 12 back below 14')).toBe('积水深度 12，已回落至 14 以下');
    expect(zh('depth 18 > 15 for 300 s')).toBe('积水深度 18，高于限值 15，已持续 300 秒');
    expect(zh('no data for level for 900 s')).toBe('水位无数据，已持续 900 秒');
    expect(zh('data again for level')).toBe('水位数据恢复');
    expect(zh('level changing 3.5/min (limit rise 2/min)')).toBe('水位每分钟变化 3.5（上升限值 2/分钟）');
    expect(zh('smoke is true and depth 18 >= 15')).toBe('烟感为是，且积水深度 18，不低于限值 15');
    expect(zh('smoke is true or depth 3 < 5')).toBe('烟感为是；或积水深度 3，低于限值 5');
  });

  it('leaves no Latin word in what real rules explain', () => {
    const rules: RuleNode[] = [
      { kind: 'equals', metric: 'smoke', value: true },
      { kind: 'threshold', metric: 'depth', op: '>', value: 15, clear: 12 },
      { kind: 'duration', seconds: 60, of: { kind: 'threshold', metric: 'depth', op: '>=', value: 15 } },
      {
        kind: 'any',
        of: [
          { kind: 'equals', metric: 'smoke', value: true },
          { kind: 'threshold', metric: 'depth', op: '>', value: 15 },
        ],
      },
    ] as RuleNode[];
    for (const rule of rules) {
      let state = initialRuleState(rule);
      const reasons: string[] = [];
      for (const [i, r] of [
        { metric: 'smoke', value: true },
        { metric: 'depth', value: 18 },
        { metric: 'depth', value: 19 },
        { metric: 'depth', value: 5 },
        { metric: 'smoke', value: false },
      ].entries()) {
        const e = evaluateRule(rule, state, { ...r, ts: 1_000_000 + i * 120_000 }, 1_000_000 + i * 120_000);
        state = e.state;
        if (e.detail?.reason) reasons.push(e.detail.reason);
      }
      expect(reasons.length).toBeGreaterThan(0);
      for (const r of reasons) expect(zh(r), r).not.toMatch(latin);
    }
  });
});
