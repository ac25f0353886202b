/**
 * The ranking table: sortable by any column; every count opens the cases behind it (the same
 * query as the count, `GET /assessment/cases`), each case linking to its detail.
 */
import { useEffect, useMemo, useState } from 'react';
import { Icon } from '../app/icons.tsx';
import { StatusChip } from '../cases/parts.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import {
  type CaseRef,
  casesBehind,
  colourOf,
  num,
  pct,
  type Query,
  type Report,
  type ReportRow,
  signed,
} from './data.ts';
import { derivedCounters, figureName } from './names.ts';

type SortKey =
  | { kind: 'base'; key: 'rank' | 'score' | 'previous' | 'lastYear' | 'name' }
  | { kind: 'rate' | 'counter'; key: string };

function value(r: ReportRow, s: SortKey): number | string | null {
  if (s.kind === 'rate') return r.rates[s.key] ?? null;
  if (s.kind === 'counter') return r.counters[s.key] ?? 0;
  if (s.key === 'name') return r.name;
  if (s.key === 'previous') return r.delta?.score ?? null;
  if (s.key === 'lastYear') return r.lastYearDelta?.score ?? null;
  return s.key === 'rank' ? r.rank : r.score;
}

export function AssessmentTable({ report, query }: { report: Report; query: Query }) {
  const { t, lang } = useI18n();
  const [sort, setSort] = useState<{ by: SortKey; desc: boolean }>({
    by: { kind: 'base', key: 'rank' },
    desc: false,
  });
  const [drill, setDrill] = useState<{ row: ReportRow; indicator: string } | null>(null);
  const first = report.rows[0];
  const rateKeys = first ? Object.keys(first.rates) : [];
  const counterKeys = first ? Object.keys(first.counters) : [];
  const rows = useMemo(() => {
    const out = [...report.rows];
    out.sort((a, b) => {
      const x = value(a, sort.by);
      const y = value(b, sort.by);
      if (x === y) return 0;
      if (x === null) return 1; // nothing to judge: last either way
      if (y === null) return -1;
      const c = typeof x === 'string' ? x.localeCompare(String(y)) : x - (y as number);
      return sort.desc ? -c : c;
    });
    return out;
  }, [report, sort]);
  const header = (label: string, by: SortKey, className = '') => {
    const active = sort.by.kind === by.kind && sort.by.key === by.key;
    return (
      <th
        key={`${by.kind}:${by.key}`}
        className={className}
        aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : undefined}
      >
        <button
          type="button"
          className="as-sort"
          data-sort={by.key}
          onClick={() =>
            setSort((s) => ({ by, desc: active ? !s.desc : by.kind !== 'base' || by.key === 'score' }))
          }
        >
          {label}
          {active && <span aria-hidden="true">{sort.desc ? ' ▼' : ' ▲'}</span>}
        </button>
      </th>
    );
  };
  return (
    <>
      <div className="as-table-wrap">
        <table className="as-table" data-testid="as-table">
          <thead>
            <tr>
              {header(t('as.rank'), { kind: 'base', key: 'rank' }, 'as-sticky as-sticky--0')}
              {header(t('as.name'), { kind: 'base', key: 'name' }, 'as-sticky as-sticky--1')}
              {header(t('as.score'), { kind: 'base', key: 'score' })}
              <th>{t('as.grade')}</th>
              {header(t('as.vsPrevious'), { kind: 'base', key: 'previous' })}
              {header(t('as.vsLastYear'), { kind: 'base', key: 'lastYear' })}
              {rateKeys.map((k) => header(figureName(k, lang), { kind: 'rate', key: k }, 'as-col-rate'))}
              {counterKeys.map((k) => header(figureName(k, lang), { kind: 'counter', key: k }))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.subject} data-subject={r.subject}>
                <td className="as-sticky as-sticky--0 as-num">{r.rank ?? '—'}</td>
                <td className="as-sticky as-sticky--1 as-name" title={r.subject}>
                  {r.name}
                </td>
                <td className="as-num as-strong" data-no-data={r.score === null}>
                  {r.score === null ? <span className="as-nodata">{t('as.noData')}</span> : num(r.score)}
                </td>
                <td>
                  {r.grade ? (
                    <span className="as-grade" style={{ background: colourOf(report, r.grade) }}>
                      {r.grade}
                    </span>
                  ) : (
                    '—'
                  )}
                </td>
                <td
                  className={`as-num ${tone(r.delta?.score)}`}
                  title={t('as.previousScore', { s: num(r.previous?.score) })}
                >
                  {signed(r.delta?.score)}
                  {r.delta?.rank ? (
                    <small>
                      {' '}
                      ({r.delta.rank > 0 ? '↑' : '↓'}
                      {Math.abs(r.delta.rank)})
                    </small>
                  ) : null}
                </td>
                <td
                  className={`as-num ${tone(r.lastYearDelta?.score)}`}
                  title={t('as.previousScore', { s: num(r.lastYear?.score) })}
                >
                  {signed(r.lastYearDelta?.score)}
                </td>
                {rateKeys.map((k) => (
                  <td key={k} className="as-num as-col-rate">
                    {pct(r.rates[k])}
                  </td>
                ))}
                {counterKeys.map((k) => {
                  const n = r.counters[k] ?? 0;
                  return (
                    <td key={k} className="as-num">
                      {n > 0 && !derivedCounters.has(k) ? (
                        <button
                          type="button"
                          className="as-count"
                          data-indicator={k}
                          title={t('as.drillHint')}
                          onClick={() => setDrill({ row: r, indicator: k })}
                        >
                          {n}
                        </button>
                      ) : (
                        n
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {drill && (
        <DrillDown query={query} row={drill.row} indicator={drill.indicator} onClose={() => setDrill(null)} />
      )}
    </>
  );
}

const tone = (d: number | null | undefined) =>
  d === null || d === undefined || d === 0 ? '' : d > 0 ? 'as-up' : 'as-down';

function DrillDown({
  query,
  row,
  indicator,
  onClose,
}: {
  query: Query;
  row: ReportRow;
  indicator: string;
  onClose(): void;
}) {
  const { t, lang } = useI18n();
  const [items, setItems] = useState<CaseRef[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    casesBehind({ ...query, subject: row.subject, indicator })
      .then((x) => live && setItems(x))
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [query, row.subject, indicator]);
  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [onClose]);
  return (
    <div className="modal-backdrop">
      <button
        type="button"
        className="as-scrim"
        aria-label={t('locate.close')}
        tabIndex={-1}
        onClick={onClose}
      />
      <div className="as-drill" role="dialog" aria-label={t('as.drillTitle')} data-testid="as-drill">
        <div className="as-drill__head">
          <h2>
            {row.name} · {figureName(indicator, lang)}{' '}
            <span className="muted">({row.counters[indicator] ?? 0})</span>
          </h2>
          <button type="button" className="icon-btn" onClick={onClose} aria-label={t('locate.close')}>
            <Icon name="close" size={18} />
          </button>
        </div>
        {error && <div className="form-error">{t('error.generic', { message: error })}</div>}
        {!items && !error && <div className="muted">{t('app.loading')}</div>}
        {items && (
          <ul className="as-drill__list">
            {items.length === 0 && <li className="muted">{t('wb.empty')}</li>}
            {items.map((c) => (
              <li key={c.id}>
                <a href={`#/cases/${c.id}`} data-testid="as-drill-case" data-id={c.id}>
                  <span className="mono">{c.number}</span>
                </a>
                <StatusChip status={c.status} />
                <span className="mono muted">{c.category}</span>
                <span className="muted">
                  {c.at
                    ? new Date(c.at).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
                        timeZone: 'Asia/Shanghai',
                        hour12: false,
                      })
                    : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
