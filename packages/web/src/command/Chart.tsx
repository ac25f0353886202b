/**
 * One ECharts chart in a panel, re-drawn when its option changes and resized with its box. Loaded
 * lazily by panels.tsx (import only its types elsewhere, or ECharts joins the first chunk).
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEChart } from '../app/useEChart.ts';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

export function Chart({
  option,
  testId,
  onClick,
}: {
  option: ChartOption;
  testId: string;
  onClick?: (name: string, dataIndex: number) => void;
}) {
  const { ref } = useEChart(option, onClick);
  return <div ref={ref} className="cmd-chart" data-testid={testId} />;
}
