import { describe, expect, it } from 'vitest';
import { parseRuleNode } from './validate.ts';

describe('parseRuleNode', () => {
  it('accepts a nested condition and returns it typed', () => {
    const input = {
      kind: 'any',
      of: [
        {
          kind: 'duration',
          seconds: 300,
          of: { kind: 'threshold', metric: 'depth', op: '>', value: 15, clear: 10 },
        },
        { kind: 'noData', seconds: 900 },
        { kind: 'rate', metric: 'depth', perMinute: 3 },
      ],
    };
    const r = parseRuleNode(input);
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(r.node).toEqual({
        ...input,
        of: [input.of[0], input.of[1], { ...input.of[2], direction: 'rise' }],
      });
  });

  it('lists every problem with its path', () => {
    const r = parseRuleNode({
      kind: 'all',
      of: [
        { kind: 'threshold', metric: 'depth', op: '>', value: 15, clear: 20 },
        { kind: 'duration', seconds: -1, of: { kind: 'equals', metric: 'open' } },
        { kind: 'wat' },
      ],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toEqual([
        'of[0].clear must be at most value (15)',
        'of[1].seconds must be a number of seconds between 0 and 30 days',
        'of[1].of.value must be a number, boolean or string',
        'of[2].kind must be one of threshold, equals, duration, rate, noData, all, any',
      ]);
    }
  });

  it('refuses non-objects, empty combinations, deep nesting and non-finite numbers', () => {
    expect(parseRuleNode(null).ok).toBe(false);
    expect(parseRuleNode({ kind: 'all', of: [] }).ok).toBe(false);
    let deep: unknown = { kind: 'equals', metric: 'x', value: 1 };
    for (let i = 0; i < 10; i++) deep = { kind: 'any', of: [deep] };
    expect(parseRuleNode(deep).ok).toBe(false);
    expect(
      parseRuleNode({ kind: 'threshold', metric: 'x', op: '>', value: Number.POSITIVE_INFINITY }).ok,
    ).toBe(false);
  });
});
