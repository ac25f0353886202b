/**
 * The printable monthly report (综合评价月报): `#/assessment/report?level=&from=&to=&area=`. A4
 * portrait, a header on every page, the four aspects against the previous period and last year,
 * the ranking, the table; charts drawn into images so the printer gets exactly what is shown.
 */
import type { AssessmentLevel } from '@onegrid/domain';
import { useEffect, useMemo, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { chartImage, radarOption, rankingOption } from './charts.tsx';
import {
  colourOf,
  isAreaLevel,
  levelOrder,
  loadReport,
  num,
  pct,
  type Query,
  type Report,
  shanghaiDay,
  signed,
} from './data.ts';
import { figureName, levelName } from './names.ts';

const aspectKeys = ['discovery', 'command', 'supervision', 'mechanism'] as const;

export default function ReportPage({ params }: { params: URLSearchParams }) {
  const { t, lang } = useI18n();
  const levelParam = params.get('level') as AssessmentLevel | null;
  const level = levelParam && levelOrder.includes(levelParam) ? levelParam : 'district';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const area = params.get('area') ?? '';
  const kind = params.get('kind') ?? 'month';
  const query: Query = useMemo(
    () => ({ level, from, to, ...(area ? { area } : {}) }),
    [level, from, to, area],
  );
  const [report, setReport] = useState<Report | null>(null);
  const [scope, setScope] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([loadReport(query), isAreaLevel(level) ? null : loadReport({ ...query, level: 'district' })])
      .then(([r, s]) => {
        if (!live) return;
        setReport(r);
        setScope(s ?? r);
      })
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [query, level]);
  const summary = scope?.summary ?? null;
  const images = useMemo(
    () =>
      report
        ? {
            radar: chartImage(radarOption(summary, t), 360, 280),
            // A bar per ranked row (at most 15), so one district does not draw a tall empty chart.
            ranking: chartImage(
              rankingOption(report, t, 15),
              380,
              70 + 22 * Math.min(15, Math.max(1, report.rows.filter((r) => r.score !== null).length)),
            ),
          }
        : null,
    [report, summary, t],
  );
  const title =
    kind === 'month'
      ? t('as.r.monthTitle', { y: from.slice(0, 4), m: String(Number(from.slice(5, 7))) })
      : kind === 'quarter'
        ? t('as.r.quarterTitle', {
            y: from.slice(0, 4),
            q: String(Math.floor((Number(from.slice(5, 7)) - 1) / 3) + 1),
          })
        : t('as.r.title');
  const rateKeys = report?.rows[0] ? Object.keys(report.rows[0].rates) : [];
  const back = new URLSearchParams(params);
  return (
    <div className="as-report-page">
      <div className="as-report-bar no-print">
        <a className="btn as-btn-line" href={`#/assessment?${back.toString()}`}>
          ← {t('as.r.back')}
        </a>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => window.print()}
          data-testid="as-print"
        >
          {t('as.r.print')}
        </button>
      </div>
      {error && <div className="form-error no-print">{t('error.generic', { message: error })}</div>}
      <article className="as-report" data-testid="as-report" data-ready={report && images ? 'true' : 'false'}>
        <header className="as-report__head">
          <div className="as-report__brand">OneGrid 一网统管 · {t('as.title')}</div>
          <h1>{title}</h1>
          <div className="as-report__meta">
            <span>
              {t('as.r.period')} {from} – {to ? shanghaiDay(`${to}T00:00:00+08:00`, 1) : ''}
            </span>
            <span>
              {t('as.level')} {levelName(level, lang)}
            </span>
            <span>
              {t('as.r.scope')} {report?.scope ?? ''}
            </span>
            {report?.previousFrom && (
              <span>
                {t('as.previous')} {shanghaiDay(report.previousFrom)} –{' '}
                {shanghaiDay(report.previousTo ?? '', 1)}
              </span>
            )}
          </div>
        </header>
        {report && images && (
          <>
            <section className="as-report__section">
              <h2>{t('as.r.aspects')}</h2>
              <div className="as-report__split">
                <table className="as-rtable">
                  <thead>
                    <tr>
                      <th>{t('as.r.aspect')}</th>
                      <th>{t('as.thisPeriod')}</th>
                      <th>{t('as.previous')}</th>
                      <th>{t('as.r.mom')}</th>
                      <th>{t('as.lastYear')}</th>
                      <th>{t('as.r.yoy')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {aspectKeys.map((k) => (
                      <AspectLine
                        key={k}
                        label={t(`as.aspect.${k}`)}
                        now={summary?.aspects[k]}
                        prev={summary?.previous?.aspects[k]}
                        year={summary?.lastYear?.aspects[k]}
                      />
                    ))}
                    <AspectLine
                      label={t('as.overall')}
                      now={summary?.score}
                      prev={summary?.previous?.score}
                      year={summary?.lastYear?.score}
                      strong
                    />
                  </tbody>
                </table>
                <img
                  src={images.radar}
                  alt={t('as.aspects')}
                  className="as-report__chart"
                  data-testid="as-report-radar"
                />
              </div>
            </section>
            <section className="as-report__section">
              <h2>
                {t('as.ranking')} · {levelName(level, lang)}
              </h2>
              <img
                src={images.ranking}
                alt={t('as.ranking')}
                className="as-report__chart as-report__chart--wide"
              />
            </section>
            <section className="as-report__section">
              <h2>{t('as.r.table')}</h2>
              <table className="as-rtable as-rtable--dense" data-testid="as-report-table">
                <thead>
                  <tr>
                    <th>{t('as.rank')}</th>
                    <th>{t('as.name')}</th>
                    <th>{t('as.score')}</th>
                    <th>{t('as.grade')}</th>
                    <th>{t('as.previous')}</th>
                    <th>{t('as.r.mom')}</th>
                    <th>{t('as.lastYear')}</th>
                    <th>{t('as.r.yoy')}</th>
                    {rateKeys.map((k) => (
                      <th key={k}>{figureName(k, lang)}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {report.rows.map((r) => (
                    <tr key={r.subject}>
                      <td className="as-num">{r.rank ?? '—'}</td>
                      <td>{r.name}</td>
                      <td className="as-num as-strong">{num(r.score)}</td>
                      <td>
                        {r.grade && (
                          <span className="as-grade" style={{ background: colourOf(report, r.grade) }}>
                            {r.grade}
                          </span>
                        )}
                      </td>
                      <td className="as-num">{num(r.previous?.score)}</td>
                      <td className="as-num">{signed(r.delta?.score)}</td>
                      <td className="as-num">{num(r.lastYear?.score)}</td>
                      <td className="as-num">{signed(r.lastYearDelta?.score)}</td>
                      {rateKeys.map((k) => (
                        <td key={k} className="as-num">
                          {pct(r.rates[k])}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <footer className="as-report__foot">{t('as.r.foot')}</footer>
          </>
        )}
      </article>
    </div>
  );
}

function AspectLine(p: {
  label: string;
  now: number | null | undefined;
  prev: number | null | undefined;
  year: number | null | undefined;
  strong?: boolean;
}) {
  const d = (x: number | null | undefined) =>
    p.now === null || p.now === undefined || x === null || x === undefined ? null : p.now - x;
  return (
    <tr className={p.strong ? 'as-strong' : ''}>
      <td>{p.label}</td>
      <td className="as-num">{num(p.now)}</td>
      <td className="as-num">{num(p.prev)}</td>
      <td className="as-num">{signed(d(p.prev))}</td>
      <td className="as-num">{num(p.year)}</td>
      <td className="as-num">{signed(d(p.year))}</td>
    </tr>
  );
}
