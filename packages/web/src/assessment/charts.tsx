/**
 * The assessment's charts (ECharts, only the parts used): the score ranking in grade colours, the
 * four-aspect radar, this period against the previous one and the same period last year. The
 * printable report draws the same options into images, so paper shows what the screen shows.
 */
import { BarChart, LineChart, RadarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, RadarComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { uiFont } from '../app/fonts.ts';
import { useEChart } from '../app/useEChart.ts';
import type { Translate } from '../i18n/i18n.tsx';
import { type Aspects, colourOf, type Report } from './data.ts';

echarts.use([
  BarChart,
  LineChart,
  RadarChart,
  GridComponent,
  LegendComponent,
  RadarComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type Option = echarts.EChartsCoreOption;
const aspectKeys = ['discovery', 'command', 'supervision', 'mechanism'] as const;

/** One chart in a box; re-drawn when the option changes, resized with its box. */
export function Chart({ option, testId, height = 260 }: { option: Option; testId: string; height?: number }) {
  const { ref, drawn } = useEChart(option);
  return (
    <div
      ref={ref}
      className="as-chart"
      style={{ height }}
      data-testid={testId}
      data-drawn={drawn ? 'true' : 'false'}
    />
  );
}

/** Draws an option off screen and returns a PNG data URL (for print). */
export function chartImage(option: Option, width: number, height: number): string {
  const div = document.createElement('div');
  div.style.cssText = `position:fixed;left:-10000px;top:0;width:${width}px;height:${height}px`;
  document.body.append(div);
  const c = echarts.init(div, undefined, { renderer: 'canvas', width, height });
  c.setOption({ ...option, animation: false });
  const url = c.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
  c.dispose();
  div.remove();
  return url;
}

/** Best first, top `n`, horizontal bars in grade colours. */
export function rankingOption(report: Report, t: Translate, n = 15): Option {
  const rows = report.rows.filter((r) => r.score !== null).slice(0, n);
  const shown = [...rows].reverse();
  return {
    animation: true,
    textStyle: { fontFamily: uiFont },
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', min: 0, max: 100, splitLine: { lineStyle: { color: '#eef1f5' } } },
    yAxis: {
      type: 'category',
      data: shown.map((r) => `${r.rank ?? ''}. ${r.name}`),
      axisLabel: { width: 130, overflow: 'truncate' },
    },
    series: [
      {
        type: 'bar',
        name: t('as.score'),
        barMaxWidth: 16,
        data: shown.map((r) => ({ value: r.score, itemStyle: { color: colourOf(report, r.grade) } })),
        label: { show: true, position: 'right', fontSize: 11 },
      },
    ],
  };
}

/** The four aspects: this period, the previous period, the same period last year. */
export function radarOption(
  summary: (Aspects & { previous: Aspects | null; lastYear: Aspects | null }) | null,
  t: Translate,
): Option {
  const series = (a: Aspects | null | undefined) => aspectKeys.map((k) => a?.aspects[k] ?? 0);
  // A period is drawn only when at least three aspects have data: fewer make a line or a point
  // at the centre (a "degenerate radar"), which reads as a collapse rather than as no data.
  const drawable = (a: Aspects | null | undefined): a is Aspects =>
    !!a && aspectKeys.filter((k) => a.aspects[k] !== null && a.aspects[k] !== undefined).length >= 3;
  const items = [
    ...(drawable(summary) ? [{ name: t('as.thisPeriod'), value: series(summary), color: '#1463c8' }] : []),
    ...(drawable(summary?.previous)
      ? [{ name: t('as.previous'), value: series(summary?.previous), color: '#8a96a6' }]
      : []),
    ...(drawable(summary?.lastYear)
      ? [{ name: t('as.lastYear'), value: series(summary?.lastYear), color: '#e3a000' }]
      : []),
  ];
  return {
    textStyle: { fontFamily: uiFont },
    legend: { bottom: 0, data: items.map((i) => i.name) },
    tooltip: {},
    radar: {
      radius: '52%',
      center: ['50%', '46%'],
      // Long (English) names break after their first word so they fit beside the chart.
      indicator: aspectKeys.map((k) => {
        const name = t(`as.aspect.${k}`);
        return { name: name.length > 12 ? name.replace(' ', '\n') : name, max: 100 };
      }),
      axisName: { color: '#4a5b70', fontSize: 11 },
      nameGap: 6,
    },
    series: [
      {
        type: 'radar',
        data: items.map((i) => ({
          name: i.name,
          value: i.value,
          itemStyle: { color: i.color },
          lineStyle: { color: i.color },
          areaStyle: i.name === t('as.thisPeriod') ? { color: 'rgba(20,99,200,0.18)' } : undefined,
        })),
      },
    ],
  };
}

/** Score now against the previous period and last year, for the first `n` rows. */
export function trendOption(report: Report, t: Translate, n = 10): Option {
  const rows = report.rows.filter((r) => r.score !== null).slice(0, n);
  return {
    textStyle: { fontFamily: uiFont },
    legend: { bottom: 0 },
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 8, top: 16, bottom: 36, containLabel: true },
    xAxis: {
      type: 'category',
      data: rows.map((r) => r.name),
      axisLabel: { interval: 0, rotate: rows.length > 5 ? 30 : 0, width: 90, overflow: 'truncate' },
    },
    yAxis: { type: 'value', min: 0, max: 100, splitLine: { lineStyle: { color: '#eef1f5' } } },
    series: [
      {
        type: 'bar',
        name: t('as.thisPeriod'),
        data: rows.map((r) => r.score),
        itemStyle: { color: '#1463c8' },
      },
      {
        type: 'bar',
        name: t('as.previous'),
        // Only comparable figures (the server gives no difference for no data or other parts).
        data: rows.map((r) =>
          r.delta?.score !== null && r.delta?.score !== undefined ? (r.previous?.score ?? null) : null,
        ),
        itemStyle: { color: '#9aa6b5' },
      },
      {
        type: 'line',
        name: t('as.lastYear'),
        data: rows.map((r) =>
          r.lastYearDelta?.score !== null && r.lastYearDelta?.score !== undefined
            ? (r.lastYear?.score ?? null)
            : null,
        ),
        itemStyle: { color: '#e3a000' },
        symbolSize: 8,
      },
    ],
  };
}
