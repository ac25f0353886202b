/** A metric over time (ECharts line), with the bucket's min–max as a band when the readings are rolled up. */
import { LineChart } from 'echarts/charts';
import { GridComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo } from 'react';
import { uiFont } from '../app/fonts.ts';
import { useEChart } from '../app/useEChart.ts';
import { type Point, pointValue } from './data.ts';

echarts.use([LineChart, GridComponent, TooltipComponent, MarkLineComponent, CanvasRenderer]);

// The city's clock, whatever the browser's time zone (as every time in the app).
const hhmm = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const full = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

export function ReadingsChart({
  points,
  unit,
  threshold,
  testId,
}: {
  points: Point[];
  unit: string;
  threshold?: number | undefined;
  testId: string;
}) {
  const option = useMemo<echarts.EChartsCoreOption>(() => {
    const line = points.map((p) => [p.ts, pointValue(p)]);
    const low = points.map((p) => [p.ts, p.min ?? null]);
    const band = points.map((p) => [p.ts, p.max !== undefined && p.min !== undefined ? p.max - p.min : null]);
    const rolled = points.some((p) => p.min !== undefined);
    return {
      textStyle: { fontFamily: uiFont },
      animation: false,
      grid: { left: 48, right: 16, top: 24, bottom: 28 },
      tooltip: {
        trigger: 'axis',
        formatter: (params: { value: [string, number | null] }[]) => {
          const last = params[params.length - 1];
          if (!last) return '';
          const [ts, v] = last.value;
          return `${full.format(new Date(ts))}<br/>${typeof v === 'number' ? `${v.toFixed(1)} ${unit}` : '—'}`;
        },
      },
      xAxis: {
        type: 'time',
        axisLabel: { hideOverlap: true, formatter: (v: number) => hhmm.format(v) },
        axisPointer: { label: { formatter: (p: { value: number }) => full.format(p.value) } },
      },
      yAxis: { type: 'value', name: unit, nameTextStyle: { align: 'left' }, scale: true },
      series: [
        ...(rolled
          ? [
              {
                type: 'line',
                data: low,
                stack: 'band',
                symbol: 'none',
                lineStyle: { opacity: 0 },
                tooltip: { show: false },
              },
              {
                type: 'line',
                data: band,
                stack: 'band',
                symbol: 'none',
                lineStyle: { opacity: 0 },
                areaStyle: { color: 'rgba(20, 99, 200, 0.12)' },
                tooltip: { show: false },
              },
            ]
          : []),
        {
          type: 'line',
          data: line,
          symbol: points.length > 60 ? 'none' : 'circle',
          lineStyle: { color: '#1463c8', width: 2 },
          itemStyle: { color: '#1463c8' },
          markLine:
            threshold === undefined
              ? undefined
              : {
                  symbol: 'none',
                  silent: true,
                  lineStyle: { color: '#c23434', type: 'dashed' },
                  label: { formatter: `${threshold} ${unit}`, color: '#c23434' },
                  data: [{ yAxis: threshold }],
                },
        },
      ],
    };
  }, [points, unit, threshold]);

  const { ref, drawn } = useEChart(option);
  return (
    <div
      ref={ref}
      className="iot-chart"
      data-testid={testId}
      data-drawn={drawn ? 'true' : 'false'}
      data-points={points.length}
    />
  );
}
