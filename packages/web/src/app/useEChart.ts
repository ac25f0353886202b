/**
 * One ECharts chart bound to a box: created on mount, re-drawn when its option changes, resized
 * with the box, disposed on unmount. Each caller registers the chart kinds it uses (`echarts.use`),
 * so a screen's bundle carries only those.
 */
import * as echarts from 'echarts/core';
import { type RefObject, useEffect, useRef, useState } from 'react';

export type EChartOption = echarts.EChartsCoreOption;

export function useEChart(
  option: EChartOption,
  onClick?: (name: string, dataIndex: number) => void,
): { ref: RefObject<HTMLDivElement | null>; drawn: boolean } {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    if (!ref.current) return;
    const c = echarts.init(ref.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('finished', () => setDrawn(true));
    c.on('click', (p) => click.current?.(String(p.name), p.dataIndex));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(ref.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);
  return { ref, drawn };
}
