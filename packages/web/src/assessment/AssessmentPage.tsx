/**
 * 综合评价 · 考核: pick a period (month, quarter, custom) and a level; see the four aspects, the
 * ranking in grade colours, this period against the previous one and last year, a sortable table
 * whose counts open the cases behind them, exports, spot checks, and the printable monthly report
 * (`#/assessment/report?…`). The period and level live in the address, so a view can be shared.
 */
import type { AssessmentLevel } from '@onegrid/domain';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { User } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { AssessmentTable } from './AssessmentTable.tsx';
import { Chart, radarOption, rankingOption, trendOption } from './charts.tsx';
import {
  colourOf,
  customPeriod,
  download,
  isAreaLevel,
  lastDayOf,
  levelOrder,
  loadReport,
  monthPeriod,
  num,
  type Period,
  type PeriodKind,
  parseAssessmentHash,
  type Query,
  quarterPeriod,
  type Report,
  shanghaiToday,
  signed,
} from './data.ts';
import { levelName } from './names.ts';
import { SpotChecks } from './SpotChecks.tsx';
import './assessment.css';

const ReportPage = lazy(() => import('./ReportPage.tsx'));
const aspectKeys = ['discovery', 'command', 'supervision', 'mechanism'] as const;

export default function AssessmentPage({ user }: { user: User }) {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const { report, params } = parseAssessmentHash(hash);
  if (report)
    return (
      <Suspense fallback={null}>
        <ReportPage params={params} />
      </Suspense>
    );
  return <AssessmentScreen user={user} params={params} />;
}

function initialPeriod(params: URLSearchParams): Period {
  const from = params.get('from');
  const to = params.get('to');
  const kind = (params.get('kind') ?? 'month') as PeriodKind;
  if (from && to && /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to))
    return { kind: ['month', 'quarter', 'custom'].includes(kind) ? kind : 'custom', from, to };
  const [y, m] = shanghaiToday();
  return monthPeriod(y, m);
}

function AssessmentScreen({ user, params }: { user: User; params: URLSearchParams }) {
  const { t, lang } = useI18n();
  const [period, setPeriod] = useState<Period>(() => initialPeriod(params));
  const [level, setLevel] = useState<AssessmentLevel>(() => {
    const l = params.get('level') as AssessmentLevel | null;
    return l && levelOrder.includes(l) ? l : 'district';
  });
  const [area, setArea] = useState(() => params.get('area') ?? '');
  const [report, setReport] = useState<Report | null>(null);
  const [scopeReport, setScopeReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const query: Query = useMemo(
    () => ({ level, from: period.from, to: period.to, ...(/^\d{4,15}$/.test(area) ? { area } : {}) }),
    [level, period, area],
  );
  const search = new URLSearchParams({ level, kind: period.kind, from: period.from, to: period.to });
  if (query.area) search.set('area', query.area);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the address follows the query, nothing else
  useEffect(() => {
    history.replaceState(null, '', `#/assessment?${search.toString()}`);
    let live = true;
    setBusy(true);
    setError(null);
    const area = isAreaLevel(level) ? null : loadReport({ ...query, level: 'district' });
    Promise.all([loadReport(query), area])
      .then(([r, s]) => {
        if (!live) return;
        setReport(r);
        setScopeReport(s ?? r);
      })
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)))
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [query]);

  const summary = scopeReport?.summary ?? null;
  const options = useMemo(
    () =>
      report
        ? { ranking: rankingOption(report, t), radar: radarOption(summary, t), trend: trendOption(report, t) }
        : null,
    [report, summary, t],
  );
  const exportAs = async (format: 'csv' | 'xlsx') => {
    try {
      const name = await download(format, query);
      setNote(t('as.downloaded', { name }));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const canDraw = ['leader', 'admin', 'operator'].includes(user.role);
  const canRecord = ['operator', 'admin'].includes(user.role);

  return (
    <div className="as-page" data-testid="assessment" data-busy={busy ? 'true' : 'false'}>
      <div className="as-toolbar">
        <h1 className="wb-title">{t('as.title')}</h1>
        <PeriodPicker period={period} onChange={setPeriod} />
        <label className="as-field">
          <span>{t('as.level')}</span>
          <select
            value={level}
            onChange={(e) => setLevel(e.target.value as AssessmentLevel)}
            data-testid="as-level"
          >
            {levelOrder.map((l) => (
              <option key={l} value={l}>
                {levelName(l, lang)}
              </option>
            ))}
          </select>
        </label>
        <label className="as-field">
          <span>{t('wb.area')}</span>
          <input
            className="as-area"
            value={area}
            placeholder={user.scopeCode}
            onChange={(e) => setArea(e.target.value.replace(/\D/g, ''))}
          />
        </label>
        <span className="as-toolbar__spacer" />
        <button
          type="button"
          className="btn as-btn-line"
          onClick={() => void exportAs('csv')}
          data-testid="as-export-csv"
        >
          {t('as.exportCsv')}
        </button>
        <button
          type="button"
          className="btn as-btn-line"
          onClick={() => void exportAs('xlsx')}
          data-testid="as-export-xlsx"
        >
          {t('as.exportXlsx')}
        </button>
        <a
          className="btn btn-primary"
          href={`#/assessment/report?${search.toString()}`}
          data-testid="as-report-link"
        >
          {t('as.report')}
        </a>
      </div>
      {error && <div className="form-error as-error">{t('error.generic', { message: error })}</div>}
      {note && (
        <div className="as-note" data-testid="as-note">
          {note}
        </div>
      )}
      {report && options && (
        <>
          <section className="as-aspects" data-testid="as-aspects">
            <AspectCard
              label={t('as.overall')}
              report={scopeReport}
              score={summary?.score}
              grade={summary?.grade}
              previous={sameAspects(summary, summary?.previous) ? summary?.previous?.score : null}
              lastYear={sameAspects(summary, summary?.lastYear) ? summary?.lastYear?.score : null}
              parts={summary ? compositeParts(summary, t) : ''}
              strong
            />
            {aspectKeys.map((k) => (
              <AspectCard
                key={k}
                label={t(`as.aspect.${k}`)}
                report={scopeReport}
                score={summary?.aspects[k]}
                previous={summary?.previous?.aspects[k]}
                lastYear={summary?.lastYear?.aspects[k]}
              />
            ))}
          </section>
          <section className="as-charts">
            <div className="as-card">
              <h2 className="as-card__title">
                {t('as.ranking')} · {levelName(level, lang)}
                <span className="muted as-card__sub" data-testid="as-ranking-note">
                  {report.rows.some((r) => r.score === null)
                    ? t('as.rankingNote', { n: report.rows.filter((r) => r.score === null).length })
                    : t('as.rankingAll')}
                </span>
              </h2>
              <Chart option={options.ranking} testId="as-chart-ranking" height={300} />
            </div>
            <div className="as-card">
              <h2 className="as-card__title">{t('as.aspects')}</h2>
              <Chart option={options.radar} testId="as-chart-radar" height={300} />
            </div>
            <div className="as-card">
              <h2 className="as-card__title">{t('as.trend')}</h2>
              <Chart option={options.trend} testId="as-chart-trend" height={300} />
            </div>
          </section>
          <section className="as-card">
            <h2 className="as-card__title">
              {t('as.table', { n: report.rows.length })}
              <span className="muted as-card__sub">{t('as.drillHint')}</span>
            </h2>
            <AssessmentTable report={report} query={query} />
          </section>
          <SpotChecks query={query} canDraw={canDraw} canRecord={canRecord} />
        </>
      )}
    </div>
  );
}

function AspectCard(p: {
  label: string;
  report: Report | null;
  score: number | null | undefined;
  grade?: string | null | undefined;
  previous: number | null | undefined;
  lastYear: number | null | undefined;
  strong?: boolean;
  /** How the figure is made (the composite: its aspects and weights). */
  parts?: string;
}) {
  const { t } = useI18n();
  const d = (x: number | null | undefined) =>
    p.score === null || p.score === undefined || x === null || x === undefined ? null : p.score - x;
  return (
    <div className={`as-aspect ${p.strong ? 'as-aspect--strong' : ''}`} data-testid="as-aspect">
      <div className="as-aspect__label">{p.label}</div>
      <div className="as-aspect__score" data-no-data={p.score === null || p.score === undefined}>
        {p.score === null || p.score === undefined ? (
          <span className="as-nodata">{t('as.noData')}</span>
        ) : (
          num(p.score)
        )}
        {p.grade && (
          <span className="as-grade" style={{ background: colourOf(p.report, p.grade) }}>
            {p.grade}
          </span>
        )}
      </div>
      <div className="as-aspect__delta">
        <span className={tone(d(p.previous))}>
          {t('as.previousShort')} {signed(d(p.previous))}
        </span>
        <span className={tone(d(p.lastYear))}>
          {t('as.lastYearShort')} {signed(d(p.lastYear))}
        </span>
      </div>
      {p.parts && (
        <div className="as-aspect__parts" data-testid="as-composite-parts">
          {p.parts}
        </div>
      )}
    </div>
  );
}
type AspectsFigure = NonNullable<Report['summary']>;
type AspectsOnly = Pick<AspectsFigure, 'aspects'>;

/** Two composites compare only when the same aspects had data in both periods. */
function sameAspects(a: AspectsOnly | null | undefined, b: AspectsOnly | null | undefined): boolean {
  if (!a || !b) return false;
  return aspectKeys.every((k) => (a.aspects[k] === null) === (b.aspects[k] === null));
}

/** The composite explained: 25%×51.21 + … over the aspects with data, and which have none. */
function compositeParts(s: AspectsOnly, t: ReturnType<typeof useI18n>['t']): string {
  const scored = aspectKeys.filter((k) => s.aspects[k] !== null && s.aspects[k] !== undefined);
  if (!scored.length) return t('as.noDataNote');
  const parts = scored.map((k) => `${t(`as.aspect.${k}`)} ${num(s.aspects[k])}`).join(' · ');
  const missing = aspectKeys.filter((k) => !scored.includes(k));
  return `${t('as.compositeOf', { n: scored.length })}：${parts}${
    missing.length
      ? `；${t('as.missingAspects', { names: missing.map((k) => t(`as.aspect.${k}`)).join('、') })}`
      : ''
  }`;
}

const tone = (x: number | null) => (x === null || Math.abs(x) < 0.005 ? '' : x > 0 ? 'as-up' : 'as-down');

function PeriodPicker({ period, onChange }: { period: Period; onChange(p: Period): void }) {
  const { t } = useI18n();
  const [y, m] = period.from.split('-').map(Number) as [number, number];
  const kinds: PeriodKind[] = ['month', 'quarter', 'custom'];
  const switchTo = (k: PeriodKind) => {
    if (k === 'month') onChange(monthPeriod(y, m));
    else if (k === 'quarter') onChange(quarterPeriod(y, Math.floor((m - 1) / 3) + 1));
    else onChange({ ...period, kind: 'custom' });
  };
  return (
    <div className="as-period" data-testid="as-period">
      <div className="as-seg" role="tablist" aria-label={t('as.period')}>
        {kinds.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={period.kind === k}
            data-kind={k}
            onClick={() => switchTo(k)}
          >
            {t(`as.kind.${k}`)}
          </button>
        ))}
      </div>
      {period.kind === 'month' && (
        <input
          type="month"
          aria-label={t('as.kind.month')}
          value={period.from.slice(0, 7)}
          onChange={(e) => {
            const [yy, mm] = e.target.value.split('-').map(Number);
            if (yy && mm) onChange(monthPeriod(yy, mm));
          }}
          data-testid="as-month"
        />
      )}
      {period.kind === 'quarter' && (
        <>
          <input
            type="number"
            className="as-year"
            aria-label={t('as.year')}
            value={y}
            min={2000}
            max={2100}
            onChange={(e) =>
              onChange(quarterPeriod(Number(e.target.value) || y, Math.floor((m - 1) / 3) + 1))
            }
          />
          <select
            aria-label={t('as.kind.quarter')}
            value={Math.floor((m - 1) / 3) + 1}
            onChange={(e) => onChange(quarterPeriod(y, Number(e.target.value)))}
          >
            {[1, 2, 3, 4].map((q) => (
              <option key={q} value={q}>
                {t('as.quarter', { q })}
              </option>
            ))}
          </select>
        </>
      )}
      {period.kind === 'custom' && (
        <>
          <input
            type="date"
            aria-label={t('as.from')}
            value={period.from}
            onChange={(e) => e.target.value && onChange(customPeriod(e.target.value, lastDayOf(period)))}
            data-testid="as-from"
          />
          <span>–</span>
          <input
            type="date"
            aria-label={t('as.to')}
            value={lastDayOf(period)}
            onChange={(e) => e.target.value && onChange(customPeriod(period.from, e.target.value))}
            data-testid="as-to"
          />
        </>
      )}
    </div>
  );
}
