/** The command screen's panels: vital signs, charts, ticker, incident focus, grid detail. */
import { lazy, type ReactNode, Suspense, useMemo } from 'react';
import { uiFont } from '../app/fonts.ts';
import { sourceLabel } from '../cases/CaseDetail.tsx';
import { eventLabel, statusShort } from '../cases/names.ts';
import { systemReporterLabel } from '../cases/parts.tsx';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import type { ChartOption } from './Chart.tsx';
import { severityColour } from './commandStyle.ts';
import { type AreaFigures, type Focus, indicatorIds, type Vitals, type WarningLevel } from './data.ts';

/**
 * ECharts (≈ 550 kB) is a chunk of its own, fetched once the map has drawn its first view: the
 * charts are not part of the first look at the wall, the map and the vital signs are.
 */
const Chart = lazy(() => import('./Chart.tsx').then((m) => ({ default: m.Chart })));
const deferred = (node: ReactNode) => <Suspense fallback={<div className="cmd-chart" />}>{node}</Suspense>;

export const levelColour: Record<WarningLevel, string> = {
  green: '#52c41a',
  yellow: '#fadb14',
  orange: '#fa8c16',
  red: '#ff4d4f',
};

/** Text sizes follow the wall: 1 at 1920 px wide, 2 at 3840. */
export function useScale(): number {
  return Math.max(0.75, window.innerWidth / 1920);
}

export function Panel({
  title,
  children,
  testId,
  className = '',
}: {
  title: string;
  children: React.ReactNode;
  testId?: string;
  className?: string;
}) {
  return (
    <section className={`cmd-panel ${className}`} data-testid={testId}>
      <h2 className="cmd-panel__title">{title}</h2>
      <div className="cmd-panel__body">{children}</div>
    </section>
  );
}

function formatValue(v: number | null, unit: string): string {
  if (v === null || Number.isNaN(v)) return '—';
  const n = Math.abs(v) >= 100 || Number.isInteger(v) ? Math.round(v).toLocaleString('zh-CN') : v.toFixed(1);
  return unit === '%' ? `${n}%` : n;
}

export function VitalsPanel({ vitals }: { vitals: Vitals | null }) {
  const { t, lang } = useI18n();
  const byId = new Map(vitals?.indicators.map((i) => [i.id, i]) ?? []);
  return (
    <Panel title={t('cmd.vitals')} testId="cmd-vitals">
      <div className="cmd-vitals" data-state={vitals ? 'ready' : 'missing'}>
        {indicatorIds.map((id) => {
          const ind = byId.get(id);
          const level = ind?.level ?? null;
          return (
            <div
              key={id}
              className="cmd-vital"
              data-indicator={id}
              data-level={level ?? 'none'}
              style={level ? { borderColor: levelColour[level], color: levelColour[level] } : undefined}
            >
              <span className="cmd-vital__value">{ind ? formatValue(ind.value, ind.unit) : '—'}</span>
              <span className="cmd-vital__name">
                {ind ? ind.name[lang] : t(`cmd.vital.${id}` as MessageKey)}
              </span>
            </div>
          );
        })}
      </div>
      {!vitals && <p className="cmd-muted">{t('cmd.vitalsMissing')}</p>}
    </Panel>
  );
}

const axisText = (s: number) => ({ color: '#9fb3d1', fontSize: 12 * s, fontFamily: uiFont });
const splitLine = { lineStyle: { color: 'rgba(120,160,220,0.12)' } };

export function trendOption(f: AreaFigures, t: (k: MessageKey) => string, s: number): ChartOption {
  return {
    animation: false,
    textStyle: { fontFamily: uiFont },
    grid: { left: 40 * s, right: 12 * s, top: 28 * s, bottom: 24 * s },
    legend: { top: 0, right: 0, textStyle: axisText(s), itemWidth: 14 * s, itemHeight: 8 * s },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: f.trend.map((d) => d.day.slice(5)), axisLabel: axisText(s) },
    yAxis: { type: 'value', axisLabel: axisText(s), splitLine },
    series: [
      {
        name: t('cmd.reported'),
        type: 'line',
        smooth: true,
        data: f.trend.map((d) => d.reported),
        lineStyle: { color: '#40a9ff', width: 2 * s },
        itemStyle: { color: '#40a9ff' },
        areaStyle: { color: 'rgba(64,169,255,0.18)' },
      },
      {
        name: t('cmd.closed'),
        type: 'line',
        smooth: true,
        data: f.trend.map((d) => d.closed),
        lineStyle: { color: '#73d13d', width: 2 * s },
        itemStyle: { color: '#73d13d' },
      },
    ],
  };
}

const palette = [
  '#40a9ff',
  '#36cfc9',
  '#73d13d',
  '#fadb14',
  '#fa8c16',
  '#ff4d4f',
  '#9254de',
  '#f759ab',
  '#597ef7',
  '#bae637',
];

export function pieOption(rows: Array<{ name: string; value: number }>, s: number): ChartOption {
  return {
    animation: false,
    color: palette,
    textStyle: { fontFamily: uiFont },
    tooltip: { trigger: 'item' },
    legend: {
      orient: 'vertical',
      right: 0,
      top: 'middle',
      textStyle: axisText(s),
      itemWidth: 10 * s,
      itemHeight: 10 * s,
      formatter: (name: string) => `${name}  ${rows.find((r) => r.name === name)?.value ?? ''}`,
    },
    series: [
      {
        type: 'pie',
        radius: ['45%', '72%'],
        center: ['28%', '50%'],
        label: { show: false },
        itemStyle: { borderColor: '#081425', borderWidth: 2 },
        data: rows,
      },
    ],
  };
}

export function rankingOption(f: AreaFigures, s: number): ChartOption {
  const rows = f.children.slice(0, 12).reverse();
  return {
    animation: false,
    textStyle: { fontFamily: uiFont },
    grid: { left: 8 * s, right: 44 * s, top: 4 * s, bottom: 4 * s, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', show: false },
    yAxis: {
      type: 'category',
      data: rows.map((c) => c.name),
      axisLabel: { ...axisText(s), color: '#d6e4ff' },
      axisLine: { show: false },
      axisTick: { show: false },
    },
    series: [
      {
        type: 'bar',
        data: rows.map((c) => ({
          value: c.open,
          itemStyle: {
            color: c.urgent > 0 ? '#ff7875' : c.overdue > 0 ? '#ffa940' : '#36cfc9',
            borderRadius: 3 * s,
          },
        })),
        barWidth: '58%',
        label: { show: true, position: 'right', color: '#e6f4ff', fontSize: 12 * s },
      },
    ],
  };
}

/** The four charts of `figures`, or nothing until `enabled` (the map's first view is drawn). */
export function useCharts(figures: AreaFigures | null, onDrill: (code: string) => void, enabled = true) {
  const { t, lang } = useI18n();
  const s = useScale();
  const trend = useMemo(() => (figures ? trendOption(figures, t, s) : null), [figures, t, s]);
  const ranking = useMemo(() => (figures ? rankingOption(figures, s) : null), [figures, s]);
  const categories = useMemo(
    () =>
      figures
        ? pieOption(
            figures.byCategory.map((c) => ({ name: c.name, value: c.count })),
            s,
          )
        : null,
    [figures, s],
  );
  const sources = useMemo(
    () =>
      figures
        ? pieOption(
            figures.bySource.map((c) => ({ name: sourceLabel(c.code, lang), value: c.count })),
            s,
          )
        : null,
    [figures, s, lang],
  );
  const shown = figures ? figures.children.slice(0, 12).reverse() : [];
  if (!enabled) return { trend: null, ranking: null, categories: null, sources: null };
  return {
    trend: trend && deferred(<Chart option={trend} testId="cmd-trend" />),
    ranking:
      ranking &&
      deferred(
        <Chart
          option={ranking}
          testId="cmd-ranking"
          onClick={(_, i) => shown[i] && onDrill(shown[i].code)}
        />,
      ),
    categories: categories && deferred(<Chart option={categories} testId="cmd-categories" />),
    sources: sources && deferred(<Chart option={sources} testId="cmd-sources" />),
  };
}

export interface TickerItem {
  key: string;
  at: number;
  kind: 'case' | 'alarm';
  label: string;
  detail: string;
  tone: 'red' | 'orange' | 'yellow' | 'blue' | 'green' | 'plain';
  target?: { case: number } | { alarm: number };
}

export function Ticker({
  items,
  onPick,
}: {
  items: TickerItem[];
  onPick(target: TickerItem['target']): void;
}) {
  const { t } = useI18n();
  return (
    <ol className="cmd-ticker" data-testid="cmd-ticker">
      {items.length === 0 && <li className="cmd-muted">{t('cmd.tickerEmpty')}</li>}
      {items.map((i) => (
        <li key={i.key} className={`cmd-ticker__item tone-${i.tone}`} data-at={i.at}>
          <button type="button" onClick={() => onPick(i.target)} disabled={!i.target}>
            <time>{new Date(i.at).toLocaleTimeString('zh-CN', { hour12: false })}</time>
            <span className="cmd-ticker__label">{i.label}</span>
            <span className="cmd-ticker__detail">{i.detail}</span>
          </button>
        </li>
      ))}
    </ol>
  );
}

const when = (s: string | null) =>
  s
    ? new Date(s).toLocaleString('zh-CN', {
        hour12: false,
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      })
    : '—';

export function FocusPanel({ focus, onClose }: { focus: Focus; onClose(): void }) {
  const { t, lang } = useI18n();
  const sev = focus.alarm?.severity;
  return (
    <section className="cmd-focus" data-testid="cmd-focus" data-kind={focus.kind}>
      <header className="cmd-focus__head" style={sev ? { borderColor: severityColour[sev] } : undefined}>
        <div>
          <p className="cmd-focus__kicker">
            {focus.kind === 'alarm'
              ? `${t('cmd.focus.alarm')} · ${t(`cmd.severity.${sev}` as MessageKey)}`
              : `${t('cmd.focus.case')}${focus.case?.urgency === 'urgent' ? ` · ${t('cmd.urgent')}` : ''}`}
          </p>
          <h2 className="cmd-focus__title">{focus.title}</h2>
        </div>
        <button type="button" className="cmd-btn" onClick={onClose} data-testid="cmd-focus-close">
          {t('cmd.focus.close')}
        </button>
      </header>
      <dl className="cmd-facts">
        {focus.alarm && (
          <>
            <dt>{t('cmd.focus.device')}</dt>
            <dd>{focus.alarm.deviceName}</dd>
            <dt>{t('cmd.focus.raisedAt')}</dt>
            <dd>{when(focus.alarm.raisedAt)}</dd>
          </>
        )}
        {focus.case && (
          <>
            <dt>{focus.kind === 'alarm' ? t('cmd.focus.linkedCase') : t('cmd.event.case')}</dt>
            <dd>
              {focus.case.number} · {focus.case.categoryName ?? focus.case.category} ·{' '}
              {statusShort(focus.case.status, lang)}
            </dd>
            {focus.case.address && (
              <>
                <dt>{t('cmd.focus.place')}</dt>
                <dd data-testid="cmd-focus-place">{focus.case.address}</dd>
              </>
            )}
            <dt>{t('cmd.focus.reportedAt')}</dt>
            <dd>{when(focus.case.createdAt)}</dd>
            <dt>{t('cmd.focus.due')}</dt>
            <dd className={focus.case.overdue ? 'cmd-red' : undefined}>{when(focus.case.dueAt)}</dd>
            <dd className="cmd-facts__wide">{focus.case.description}</dd>
          </>
        )}
        <dt>{t('cmd.focus.department')}</dt>
        <dd data-testid="cmd-focus-department">
          {focus.department
            ? `${focus.department.name}${focus.department.phone ? ` · ${focus.department.phone}` : ''}`
            : t('cmd.focus.noDepartment')}
        </dd>
      </dl>
      <h3 className="cmd-focus__sub">{t('cmd.focus.nearest')}</h3>
      <ol className="cmd-nearest" data-testid="cmd-focus-inspectors">
        {focus.inspectors.length === 0 && <li className="cmd-muted">{t('cmd.focus.noInspector')}</li>}
        {focus.inspectors.map((i) => (
          <li key={i.userId}>
            <span>{i.name}</span>
            <span className="cmd-nearest__d">
              {i.distanceM < 1000 ? `${Math.round(i.distanceM)} m` : `${(i.distanceM / 1000).toFixed(1)} km`}
            </span>
          </li>
        ))}
      </ol>
      <h3 className="cmd-focus__sub">{t('cmd.focus.timeline')}</h3>
      <ol className="cmd-timeline" data-testid="cmd-focus-timeline">
        {focus.timeline.map((e) => (
          <li key={`${e.at}-${e.action}-${e.actor ?? ''}`}>
            <time>{when(e.at)}</time>
            <span>
              {e.action.startsWith('alarm.')
                ? t(`cmd.event.${e.action}` as MessageKey)
                : eventLabel(e.action, lang)}
            </span>
            {e.actor && <span className="cmd-muted">{systemReporterLabel(e.actor, t) ?? e.actor}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function GridPanel({ grid }: { grid: NonNullable<AreaFigures['grid']> }) {
  const { t, lang } = useI18n();
  const none = <li className="cmd-muted">{t('cmd.grid.none')}</li>;
  return (
    <div className="cmd-grid-detail" data-testid="cmd-grid-detail">
      <h3>
        {t('cmd.grid.cases')} · {grid.cases.length}
      </h3>
      <ul>
        {grid.cases.length === 0 && none}
        {grid.cases.slice(0, 12).map((c) => (
          <li key={c.id} className={c.urgency === 'urgent' ? 'cmd-red' : undefined}>
            {c.number} · {statusShort(c.status, lang)} · {c.description}
          </li>
        ))}
      </ul>
      <h3>
        {t('cmd.grid.components')} · {grid.components.length}
      </h3>
      <ul>
        {grid.components.length === 0 && none}
        {grid.components.slice(0, 6).map((c) => (
          <li key={c.id}>
            {c.name} · {c.owner}
          </li>
        ))}
      </ul>
      <h3>
        {t('cmd.grid.devices')} · {grid.devices.length}
      </h3>
      <ul>
        {grid.devices.length === 0 && none}
        {grid.devices.slice(0, 6).map((d) => (
          <li key={d.id}>
            {d.name} · {d.status}
          </li>
        ))}
      </ul>
      <h3>
        {t('cmd.grid.inspectors')} · {grid.inspectors.length}
      </h3>
      <ul>
        {grid.inspectors.length === 0 && none}
        {grid.inspectors.map((i) => (
          <li key={i.userId}>{i.name}</li>
        ))}
      </ul>
    </div>
  );
}
