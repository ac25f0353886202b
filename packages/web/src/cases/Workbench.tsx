/**
 * The frame of the three workbenches: tabs of preset queries, filters, the live list (refreshed by
 * the case stream, no reload), optionally a map beside it, and the selected case on the right.
 */
import { caseSources } from '@onegrid/domain';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MessageKey } from '../i18n/i18n.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { CaseDetail, sourceLabel } from './CaseDetail.tsx';
import { CaseMap, type CasePoint } from './CaseMap.tsx';
import { type Case, type CaseQuery, listCases, useCaseStream } from './data.ts';
import { useMajors } from './lookups.ts';
import { placeText } from './NearestAddress.tsx';
import { Countdown, formatTime, StatusChip } from './parts.tsx';

export interface Tab {
  id: string;
  label: MessageKey;
  query: CaseQuery;
  /** Soonest deadline first rather than newest first. */
  byDeadline?: boolean;
}

interface Filters {
  source: string;
  category: string;
  area: string;
  since: '' | '24h' | '7d' | '30d';
  overdue: boolean;
  q: string;
}
const noFilters: Filters = { source: '', category: '', area: '', since: '', overdue: false, q: '' };

function toQuery(f: Filters): CaseQuery {
  const q: CaseQuery = {};
  if (f.source) q.source = f.source;
  if (f.category) q.category = f.category;
  if (/^\d{4,15}$/.test(f.area)) q.area = f.area;
  if (f.since) {
    const hours = { '24h': 24, '7d': 168, '30d': 720 }[f.since];
    q.from = new Date(Date.now() - hours * 3_600_000).toISOString();
  }
  if (f.overdue) q.overdue = true;
  if (f.q.trim()) q.q = f.q.trim();
  return q;
}

export function Workbench({
  testId,
  title,
  tabs,
  withMap = false,
  withFilters = true,
  showDuplicates = false,
}: {
  testId: string;
  title: MessageKey;
  tabs: Tab[];
  withMap?: boolean;
  withFilters?: boolean;
  showDuplicates?: boolean;
}) {
  const { t, lang } = useI18n();
  const [tabId, setTabId] = useState(tabs[0]?.id ?? '');
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [lists, setLists] = useState<Record<string, Case[]>>({});
  const [selected, setSelected] = useState<number | null>(null);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const majors = useMajors(withFilters);
  const tab = tabs.find((x) => x.id === tabId) ?? tabs[0];
  const filterQuery = useMemo(() => toQuery(filters), [filters]);

  // Every tab's list, for the counts; reloaded on each change in the stream.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads when the stream moves `tick`, on purpose
  useEffect(() => {
    let live = true;
    Promise.all(
      tabs.map(async (x) => {
        const items = await listCases({ ...x.query, ...filterQuery });
        if (x.byDeadline)
          items.sort((a, b) => (a.deadline?.dueAt ?? '9').localeCompare(b.deadline?.dueAt ?? '9'));
        return [x.id, items] as const;
      }),
    )
      .then((entries) => {
        if (!live) return;
        setLists(Object.fromEntries(entries));
        setError(null);
      })
      .catch((e: unknown) => {
        if (live) setError(t('error.generic', { message: e instanceof Error ? e.message : String(e) }));
      });
    return () => {
      live = false;
    };
  }, [tabs, filterQuery, tick, t]);

  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const connected = useCaseStream((e) => {
    if (e.action === 'report') setFresh((s) => new Set(s).add(e.id));
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setTick((n) => n + 1), 120);
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  const items = lists[tab?.id ?? ''] ?? [];
  const loaded = (tab?.id ?? '') in lists;
  const points: CasePoint[] = useMemo(
    () =>
      items.map((c) => ({
        id: c.id,
        lng: c.location.lng,
        lat: c.location.lat,
        tone: c.deadline?.state === 'ok' && c.urgency === 'urgent' ? 'urgent' : (c.deadline?.state ?? 'ok'),
      })),
    [items],
  );
  const onChanged = useCallback(() => setTick((n) => n + 1), []);
  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setFilters((f) => ({ ...f, [k]: v }));

  return (
    <div className={`workbench ${withMap ? 'workbench--map' : ''}`} data-testid={testId}>
      <div className="wb-head">
        <h1 className="wb-title">{t(title)}</h1>
        <div className="wb-tabs" role="tablist">
          {tabs.map((x) => (
            <button
              key={x.id}
              type="button"
              role="tab"
              data-tab={x.id}
              aria-selected={x.id === tab?.id}
              className="wb-tab"
              onClick={() => setTabId(x.id)}
            >
              {t(x.label)}
              <span className="wb-tab__count">{lists[x.id]?.length ?? '·'}</span>
            </button>
          ))}
        </div>
        <span className={`live ${connected ? 'live--on' : ''}`} data-testid="live" data-live={connected}>
          <span className="live__dot" />
          {connected ? t('wb.live') : t('wb.offline')}
        </span>
      </div>
      {withFilters && (
        <div className="wb-filters">
          <input
            className="wb-search"
            placeholder={t('wb.search')}
            value={filters.q}
            onChange={(e) => set('q', e.target.value)}
          />
          <select
            aria-label={t('case.source')}
            value={filters.source}
            onChange={(e) => set('source', e.target.value)}
          >
            <option value="">{t('wb.allSources')}</option>
            {caseSources.map((s) => (
              <option key={s} value={s}>
                {sourceLabel(s, lang)}
              </option>
            ))}
          </select>
          <select
            aria-label={t('case.category')}
            value={filters.category}
            onChange={(e) => set('category', e.target.value)}
          >
            <option value="">{t('wb.allCategories')}</option>
            {majors.map((m) => (
              <option key={m.code} value={m.code}>
                {m.code} {m.name}
              </option>
            ))}
          </select>
          <input
            className="wb-area"
            aria-label={t('wb.area')}
            placeholder={t('wb.area')}
            value={filters.area}
            onChange={(e) => set('area', e.target.value.replace(/\D/g, ''))}
          />
          <select
            aria-label={t('wb.time')}
            value={filters.since}
            onChange={(e) => set('since', e.target.value as Filters['since'])}
          >
            <option value="">{t('wb.anyTime')}</option>
            <option value="24h">{t('wb.24h')}</option>
            <option value="7d">{t('wb.7d')}</option>
            <option value="30d">{t('wb.30d')}</option>
          </select>
          <label className="wb-check">
            <input
              type="checkbox"
              checked={filters.overdue}
              onChange={(e) => set('overdue', e.target.checked)}
            />
            {t('wb.overdueOnly')}
          </label>
        </div>
      )}
      {error && <div className="form-error wb-error">{error}</div>}
      <div className="wb-body">
        <ul className="wb-list" data-testid="queue" aria-label={t(tab?.label ?? title)}>
          {loaded && items.length === 0 && (
            <li className="wb-empty" data-testid="queue-empty">
              {t('wb.empty')}
            </li>
          )}
          {items.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className={`wb-item ${fresh.has(c.id) ? 'wb-item--fresh' : ''} wb-item--${c.deadline?.state ?? 'ok'}`}
                aria-current={c.id === selected ? 'true' : undefined}
                data-testid="queue-item"
                data-id={c.id}
                data-number={c.number}
                onClick={() => setSelected(c.id)}
              >
                <span className="wb-item__top">
                  <span className="mono wb-item__number">{c.number}</span>
                  <StatusChip status={c.status} />
                </span>
                <span className="wb-item__cat">
                  {c.urgency === 'urgent' && <span className="tag tag--urgent">{t('urgency.urgent')}</span>}
                  {c.pending && (
                    <span className="tag tag--pending">{t(`pending.${c.pending as 'return'}`)}</span>
                  )}
                  {c.categoryName ?? c.category}
                </span>
                <span className="wb-item__desc">{c.description}</span>
                {placeText(c) && (
                  <span className="wb-item__place" data-testid="queue-item-place">
                    {placeText(c)}
                  </span>
                )}
                <span className="wb-item__meta">
                  <span>{sourceLabel(c.source, lang)}</span>
                  <span>{formatTime(c.createdAt, lang)}</span>
                  {c.departmentName && <span>{c.departmentName}</span>}
                  <Countdown deadline={c.deadline} />
                </span>
              </button>
            </li>
          ))}
        </ul>
        {withMap && (
          <div className="wb-map">
            <CaseMap points={points} selected={selected} onSelect={setSelected} />
          </div>
        )}
        <div className="wb-detail">
          {selected === null ? (
            <div className="detail-empty">{t('wb.pick')}</div>
          ) : (
            <CaseDetail
              key={selected}
              id={selected}
              mode="panel"
              showDuplicates={showDuplicates}
              onChanged={onChanged}
            />
          )}
        </div>
      </div>
    </div>
  );
}
