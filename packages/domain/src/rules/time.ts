import type { NoDataNode, NoDataState, NodeStep, RateNode, RateState } from './types.ts';

/**
 * No data for T: active when the last reading (of `metric`, or of any metric) is older than
 * `seconds`. Moves on clock ticks; a device that never reported starts its clock at the first tick.
 */
export const noData: NodeStep<NoDataNode, NoDataState> = {
  initial: () => ({ active: false, lastTs: null }),
  step(c, s, r, now) {
    if (r) {
      if (c.metric !== undefined && r.metric !== c.metric) return { state: s, detail: null };
      const lastTs = s.lastTs === null ? r.ts : Math.max(s.lastTs, r.ts);
      // A late reading from the past does not prove the device is alive now.
      const active = now - lastTs > c.seconds * 1000;
      return {
        state: { active, lastTs },
        detail: active ? null : { reason: `data again${c.metric ? ` for ${c.metric}` : ''}` },
      };
    }
    const lastTs = s.lastTs ?? now;
    const silent = Math.round((now - lastTs) / 1000);
    const active = now - lastTs > c.seconds * 1000;
    return {
      state: { active, lastTs },
      detail: active ? { reason: `no data${c.metric ? ` for ${c.metric}` : ''} for ${silent} s` } : null,
    };
  },
};

/**
 * Rate of change per minute between consecutive readings of one metric. Readings older than the
 * previous one are ignored: a rate needs time to move forward.
 */
export const rate: NodeStep<RateNode, RateState> = {
  initial: () => ({ active: false, prev: null }),
  step(c, s, r) {
    if (!r || r.metric !== c.metric || typeof r.value !== 'number' || !Number.isFinite(r.value)) {
      return { state: s, detail: null };
    }
    if (s.prev && r.ts <= s.prev.ts) return { state: s, detail: null };
    const prev = { value: r.value, ts: r.ts };
    if (!s.prev) return { state: { active: false, prev }, detail: null };
    const perMinute = ((r.value - s.prev.value) * 60_000) / (r.ts - s.prev.ts);
    const signed =
      c.direction === 'fall' ? -perMinute : c.direction === 'rise' ? perMinute : Math.abs(perMinute);
    const active = s.active ? signed >= (c.clear ?? c.perMinute) : signed >= c.perMinute;
    const shown = Math.round(perMinute * 100) / 100;
    return {
      state: { active, prev, rate: perMinute },
      detail: {
        reason: `${c.metric} changing ${shown}/min (limit ${c.direction} ${c.perMinute}/min)`,
        metric: c.metric,
        value: r.value,
      },
    };
  },
};
