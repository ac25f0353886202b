import { describe, expect, it } from 'vitest';
import { stormDepth, stormSensors, stormStep } from './storm.ts';

describe('the storm scenario', () => {
  it('floods sensors one after another above 27 cm and lets the water recede at the end', () => {
    const steps = 40;
    const sensors = stormSensors(6);
    expect(new Set(sensors.map((s) => s.id)).size).toBe(6);
    const over = (s: number) => sensors.filter((_, i) => stormDepth(i, s, steps) > 27).length;
    expect(over(0)).toBe(0);
    // By mid-storm at least three sensors stand above the road-closure depth: the flood plan's trigger.
    expect(over(steps / 2)).toBeGreaterThanOrEqual(3);
    expect(over(steps - 1)).toBe(0);
    const first = stormStep(sensors, 20, steps, 1000);
    expect(first[0]).toEqual({
      deviceId: 'storm-water-01',
      ts: 1000,
      values: { depth: expect.any(Number), battery: 90 },
    });
  });
});
