/**
 * 综合指挥屏 · 一屏观天下: the city on one screen for a video wall (1920×1080, 3840×2160). A dark
 * map of our own tiles with open cases (clustered, heatmap), pulsing alarms, inspectors and their
 * tracks; vital signs, charts and a live ticker around it. Live from the SSE stream; drill-down
 * district → street → unit grid; an urgent case or red alarm takes the screen; replay of a day.
 */
import 'maplibre-gl/dist/maplibre-gl.css';
import type { GeoJSONSource, MapLibreMap, MapMouseEvent } from 'maplibre-gl';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { LangSwitch } from '../app/LangSwitch.tsx';
import { statusShort } from '../cases/names.ts';
import { CommandIncident } from '../emergency/CommandIncident.tsx';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import {
  casesToGeoJSON,
  collection,
  type Feature,
  hashArea,
  useCommandMap,
  useOverlays,
} from './commandMap.ts';
import {
  areaLayers,
  caseSource,
  laterLayers,
  liveLayers,
  summaryLayers,
  summarySource,
} from './commandStyle.ts';
import {
  type Alarm,
  type AreaFigures,
  type CaseSummary,
  type CommandCases,
  type Focus,
  type InspectorPosition,
  loadAlarms,
  loadArea,
  loadCase,
  loadCaseSummary,
  loadCases,
  loadFocus,
  loadInspectors,
  loadVitals,
  type StreamEvent,
  useCommandStream,
  type Vitals,
} from './data.ts';
import { LinkedPlatformsPanel, useLinkedPlatforms } from './LinkedPlatforms.tsx';
import { FocusPanel, GridPanel, Panel, Ticker, type TickerItem, useCharts, VitalsPanel } from './panels.tsx';
import { ReplayBar, type ReplayView } from './Replay.tsx';
import './command.css';

const finished = new Set(['closed', 'rejected', 'merged']);
type Target = { case: number } | { alarm: number };

function Clock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const h = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(h);
  }, []);
  return (
    <time className="cmd-clock">
      {now.toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' })}{' '}
      {now.toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}
    </time>
  );
}

export default function CommandPage() {
  const { t, lang } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const mapReady = useCommandMap(container, mapRef);
  const [figures, setFigures] = useState<AreaFigures | null>(null);
  // `#/command?area=CODE` points a wall at an area; drilling keeps the address, so a reload stays.
  const [area, setArea] = useState<string | undefined>(hashArea);
  const areaRef = useRef(area);
  areaRef.current = area;
  const [vitals, setVitals] = useState<Vitals | null>(null);
  const [cases, setCases] = useState<CommandCases | null>(null);
  const [casesArea, setCasesArea] = useState<string | null>(null);
  const [live, setLive] = useState<Map<number, Feature>>(() => new Map());
  const [alarms, setAlarms] = useState<Map<number, Alarm>>(() => new Map());
  const [inspectors, setInspectors] = useState<InspectorPosition[]>([]);
  const [ticker, setTicker] = useState<TickerItem[]>([]);
  const [focus, setFocus] = useState<Focus | null>(null);
  const [autoFocus, setAutoFocus] = useState(true);
  const [replay, setReplay] = useState<ReplayView | null>(null);
  const [firstView, setFirstView] = useState<number | null>(null);
  const focusRef = useRef<Focus | null>(null);
  focusRef.current = focus;
  const autoRef = useRef(autoFocus);
  autoRef.current = autoFocus;

  // The open cases counted by street: a few hundred rows, drawn while the full set travels and is
  // clustered (3.8 MB and seconds for 100,000 cases on a wall without a GPU). First request of all.
  const [summary, setSummary] = useState<CaseSummary | null>(null);
  const [summaryFailed, setSummaryFailed] = useState(false);
  useEffect(() => {
    void loadCaseSummary(areaRef.current)
      .then((s) => {
        performance.mark('cmd:summary');
        setSummary(s);
      })
      .catch(() => setSummaryFailed(true));
  }, []);

  // The second wave — drill-down figures, the full case set, alarms, inspectors — waits for the first
  // view (or its failing): with the embedded database every query waits its turn, and the district
  // tiles should not queue behind 100,000 cases.
  const [waited, setWaited] = useState(false);
  useEffect(() => {
    const h = setTimeout(() => setWaited(true), 8_000);
    return () => clearTimeout(h);
  }, []);
  const wave2 = firstView !== null || summaryFailed || waited;
  /** The first view is on screen (or given up on): what was held back may draw. */
  const drawn = firstView !== null || waited;

  // The map fits the area at once (no animation: a frame costs much on a wall without a GPU), from the
  // summary's extent or the figures', whichever comes first; later fits glide.
  const [fitted, setFitted] = useState(false);
  const lastFit = useRef('');
  const fit = useCallback((bbox: readonly number[] | null | undefined) => {
    const map = mapRef.current;
    if (!map) return;
    const key = bbox?.join(',') ?? '';
    if (bbox?.length === 4 && key !== lastFit.current) {
      const first = lastFit.current === '';
      lastFit.current = key;
      map.fitBounds(bbox as [number, number, number, number], {
        padding: 60,
        duration: first ? 0 : 800,
        maxZoom: 17,
      });
    }
    setFitted(true); // an area without an extent keeps the view it has
  }, []);
  useEffect(() => {
    if (summary) fit(summary.bbox);
  }, [summary, fit]);

  // Drill-down figures of the current area (the caller's scope at first).
  const reloadFigures = useCallback(async () => {
    const f = await loadArea(area).catch(() => null);
    performance.mark('cmd:figures');
    if (f) setFigures(f);
    return f;
  }, [area]);
  useEffect(() => {
    if (!wave2) return;
    void reloadFigures().then((f) => fit(f?.bbox));
  }, [reloadFigures, wave2, fit]);
  const [vitalsAnswered, setVitalsAnswered] = useState(false);
  const reloadVitals = useCallback(
    () =>
      void loadVitals(area).then((v) => {
        performance.mark('cmd:vitals');
        setVitals(v);
        setVitalsAnswered(true);
      }),
    [area],
  );
  useEffect(reloadVitals, [reloadVitals]);

  // The open cases of the area drilled into (the caller's scope at first), the scope's alarms and
  // inspectors; refreshed now and then, live in between. A slow answer for an area already left is
  // dropped.
  const reloadCases = useCallback(async () => {
    const c = await loadCases(area).catch(() => null);
    if (!c || areaRef.current !== area) return;
    if (container.current && !container.current.dataset.casesMs) {
      performance.mark('cmd:cases');
      container.current.dataset.casesMs = String(Math.round(performance.now()));
    }
    setCases(c);
    setCasesArea(area ?? '');
    setLive(new Map());
  }, [area]);
  const reloadInspectors = useCallback(
    () =>
      void loadInspectors()
        .then(setInspectors)
        .catch(() => undefined),
    [],
  );
  useEffect(() => {
    if (wave2) void reloadCases();
  }, [reloadCases, wave2]);
  useEffect(() => {
    if (!wave2) return;
    void loadAlarms()
      .then((items) => setAlarms(new Map(items.filter((a) => a.location).map((a) => [a.id, a]))))
      .catch(() => undefined);
    reloadInspectors();
    const h = setInterval(reloadInspectors, 30_000);
    return () => clearInterval(h);
  }, [reloadInspectors, wave2]);

  // Debounced refreshes after live events.
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const later = useCallback((key: string, ms: number, fn: () => void) => {
    if (timers.current.has(key)) return;
    timers.current.set(
      key,
      setTimeout(() => {
        timers.current.delete(key);
        fn();
      }, ms),
    );
  }, []);
  useEffect(
    () => () => {
      for (const h of timers.current.values()) clearTimeout(h);
    },
    [],
  );

  // Set while a focus loads, so a second incident arriving meanwhile does not take the screen too.
  const focusPending = useRef(false);
  const takeFocus = useCallback(async (target: Target, fly = true) => {
    focusPending.current = true;
    const f = await loadFocus(target).catch(() => null);
    focusPending.current = false;
    if (!f) return;
    focusRef.current = f; // before the next render: an incident arriving meanwhile sees the screen taken
    setFocus(f);
    if (fly) mapRef.current?.flyTo({ center: [f.lng, f.lat], zoom: 16.5, duration: 1200 });
  }, []);

  const push = useCallback((item: TickerItem) => setTicker((list) => [item, ...list].slice(0, 60)), []);

  const onEvent = useCallback(
    (e: StreamEvent) => {
      const d = e.data;
      if (e.topic.startsWith('vitals')) {
        later('vitals', 300, reloadVitals);
        return;
      }
      if (e.topic.startsWith('case.')) {
        const id = Number(d.id);
        const status = String(d.status);
        const action = String(d.action);
        push({
          key: `c${id}-${String(d.version)}`,
          at: e.receivedAt,
          kind: 'case',
          label:
            action === 'report'
              ? t('cmd.event.report')
              : `${t('cmd.event.case')} · ${statusShort(status, lang)}`,
          detail: String(d.number ?? ''),
          tone: action === 'report' ? 'blue' : finished.has(status) ? 'green' : 'plain',
          target: { case: id },
        });
        // Drilled into a street or a grid, the event's district says too little: the case's own
        // area (one look below) decides whether it stays.
        const drilled = areaRef.current;
        const district = String(d.districtCode ?? '');
        const mayBeHere = !drilled || drilled.startsWith(district) || district.startsWith(drilled);
        if (action === 'report') {
          const feature: Feature = {
            type: 'Feature',
            id,
            geometry: { type: 'Point', coordinates: [Number(d.lng), Number(d.lat)] },
            properties: { u: 0, o: 0, fresh: 1 },
          };
          if (mayBeHere) setLive((m) => new Map(m).set(id, feature));
          // The event does not carry urgency: one look at the case tells, and an urgent one takes the screen.
          void loadCase(id)
            .then((c) => {
              const here = areaRef.current;
              const where = c.unitGridCode ?? c.communityCode ?? c.streetCode ?? c.districtCode;
              if (here && !where.startsWith(here)) {
                setLive((m) => {
                  if (!m.has(id)) return m;
                  const next = new Map(m);
                  next.delete(id);
                  return next;
                });
              }
              if (c.urgency !== 'urgent') return;
              setLive((m) => {
                const f = m.get(id);
                return f ? new Map(m).set(id, { ...f, properties: { ...f.properties, u: 1 } }) : m;
              });
              if (autoRef.current && !focusRef.current && !focusPending.current) void takeFocus({ case: id });
            })
            .catch(() => undefined);
        } else if (finished.has(status)) {
          setLive((m) => {
            if (!m.has(id)) return m;
            const next = new Map(m);
            next.delete(id);
            return next;
          });
          later('cases', 5_000, () => void reloadCases());
        }
        const f = focusRef.current;
        if (f && (f.case?.id === id || (f.kind === 'case' && f.id === id))) {
          void takeFocus(f.kind === 'case' ? { case: f.id } : { alarm: f.id }, false);
        }
        later('figures', 1_000, () => void reloadFigures());
        return;
      }
      if (e.topic.startsWith('alarm.')) {
        const a = d as unknown as Alarm;
        const kind = e.topic.slice('alarm.'.length);
        push({
          key: `a${a.id}-${kind}-${e.receivedAt}`,
          at: e.receivedAt,
          kind: 'alarm',
          label: `${t(`cmd.event.alarm.${kind}` as MessageKey)} · ${t(`cmd.severity.${a.severity}` as MessageKey)}`,
          detail: `${a.deviceName} · ${a.ruleName.split(' · ')[0] ?? ''}`,
          tone:
            kind === 'cleared'
              ? 'green'
              : a.severity === 'critical'
                ? 'red'
                : a.severity === 'major'
                  ? 'orange'
                  : 'yellow',
          target: { alarm: a.id },
        });
        setAlarms((m) => {
          const next = new Map(m);
          if (a.cleared) next.delete(a.id);
          else if (a.location) next.set(a.id, a);
          return next;
        });
        if (
          kind === 'raised' &&
          a.severity === 'critical' &&
          autoRef.current &&
          !focusRef.current &&
          a.location
        ) {
          void takeFocus({ alarm: a.id });
        }
        const f = focusRef.current;
        if (f?.kind === 'alarm' && f.id === a.id) void takeFocus({ alarm: a.id }, false);
        later('figures', 1_000, () => void reloadFigures());
      }
    },
    [t, lang, later, push, reloadCases, reloadFigures, reloadVitals, takeFocus],
  );
  const connected = useCommandStream(onEvent);

  // Data → map sources. The case set is in the map once the worker has clustered it.
  const [casesOnMap, setCasesOnMap] = useState(false);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !mapReady || !cases) return;
    void map
      .getSource<GeoJSONSource>(caseSource)
      ?.setData(casesToGeoJSON(cases))
      .then(() => {
        performance.mark('cmd:cases-clustered');
        setCasesOnMap(true);
      })
      .catch(() => undefined);
  }, [cases, mapReady]);

  const [summaryOnMap, setSummaryOnMap] = useState(false);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !mapReady || !summary || casesOnMap) return;
    const g = summary.groups;
    void map
      .getSource<GeoJSONSource>(summarySource)
      ?.setData(
        collection(
          g.code.map((code, i) => ({
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [g.lng[i]!, g.lat[i]!] },
            properties: { code, count: g.count[i]!, urgent: g.urgent[i]! },
          })),
        ),
      )
      .then(() => setSummaryOnMap(true))
      .catch(() => undefined);
  }, [summary, mapReady, casesOnMap]);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !mapReady || !casesOnMap) return;
    for (const id of summaryLayers) map.setLayoutProperty(id, 'visibility', 'none');
    const el = container.current;
    if (!el || el.dataset.fullCasesMs) return;
    // When the full set's clusters are first drawn (the summary's are gone in the same frame).
    const check = () => {
      if (!map.isSourceLoaded(caseSource)) return;
      map.off('render', check);
      performance.mark('cmd:full-cases');
      el.dataset.fullCasesMs = String(Math.round(performance.now()));
    };
    map.on('render', check);
    map.triggerRepaint();
    return () => {
      map.off('render', check);
    };
  }, [casesOnMap, mapReady]);

  // The first useful view: the frame in which the districts and the case clusters are drawn at the
  // area's extent, with the vital signs answered. Everything else (charts, streets and grids, labels)
  // follows; `data-settled-ms` says when the map was idle with every tile drawn.
  useEffect(() => {
    const map = mapRef.current;
    const el = container.current;
    const anyCases = casesOnMap || summaryOnMap;
    if (!map || !el || !mapReady || !anyCases || !fitted || !vitalsAnswered || firstView !== null) return;
    const check = () => {
      const source = casesOnMap ? caseSource : summarySource;
      if (!map.isSourceLoaded(source) || !map.isSourceLoaded('districts')) return;
      map.off('render', check);
      el.dataset.firstViewCases = casesOnMap ? 'full' : 'summary';
      const ms = Math.round(performance.now());
      performance.mark('cmd:first-view');
      setFirstView(ms);
      map.once('idle', () => {
        el.dataset.settledMs = String(Math.round(performance.now()));
      });
    };
    map.on('render', check);
    map.triggerRepaint();
    return () => {
      map.off('render', check);
    };
  }, [mapReady, casesOnMap, summaryOnMap, fitted, vitalsAnswered, firstView]);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !mapReady || !drawn) return;
    for (const id of laterLayers) {
      if (!(replay && liveLayers.includes(id))) map.setLayoutProperty(id, 'visibility', 'visible');
    }
  }, [drawn, mapReady, replay]);
  // Charts wait for the first view (or a few seconds, should the map never draw).
  const [chartsOn, setChartsOn] = useState(false);
  useEffect(() => {
    if (firstView !== null) setChartsOn(true);
    const h = setTimeout(() => setChartsOn(true), 5_000);
    return () => clearTimeout(h);
  }, [firstView]);
  useOverlays({
    map: mapReady ? mapRef.current : null,
    mapReady,
    drawn,
    live,
    inspectors,
    figures,
    alarms,
    replay,
    takeFocus,
  });

  // Clicks: a case point focuses it, a cluster opens, an area drills down.
  const level = figures?.area.level;
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !mapReady) return;
    const onClick = (e: MapMouseEvent) => {
      const hit = (layers: string[]) =>
        map.queryRenderedFeatures(e.point, { layers: layers.filter((l) => map.getLayer(l)) })[0];
      const point = hit(['case-point', 'live-point']);
      if (point && point.id !== undefined && !replay) {
        void takeFocus({ case: Number(point.id) });
        return;
      }
      const cluster = hit(['cluster-circle']);
      if (cluster && !replay) {
        map.easeTo({ center: e.lngLat, zoom: map.getZoom() + 2 });
        return;
      }
      const layer =
        level === 'city' ? areaLayers.district : level === 'district' ? areaLayers.street : areaLayers.grid;
      const f = hit([layer]);
      const code = f?.properties?.code === undefined ? undefined : String(f.properties.code);
      if (code && figures && code.startsWith(figures.area.code) && code !== figures.area.code) {
        setFocus(null);
        setArea(code);
      }
    };
    map.on('click', onClick);
    return () => {
      map.off('click', onClick);
    };
  }, [mapReady, level, figures, replay, takeFocus]);

  useEffect(() => {
    if (area && window.location.hash.startsWith('#/command')) {
      window.history.replaceState(null, '', `#/command?area=${area}`);
    }
  }, [area]);
  const drill = useCallback((code: string) => {
    setFocus(null);
    setArea(code);
  }, []);
  const charts = useCharts(figures, drill, chartsOn);
  const linked = useLinkedPlatforms();
  const leaveFocus = () => {
    setFocus(null);
    const map = mapRef.current;
    if (map && figures?.bbox)
      map.fitBounds(figures.bbox as [number, number, number, number], {
        padding: 60,
        duration: 800,
        maxZoom: 17,
      });
  };

  const totals = figures?.totals;
  const openOnMap = (cases?.total ?? 0) + live.size;
  const kpis: Array<[string, number | string, string]> = [
    ['open', totals?.open ?? '—', t('cmd.open')],
    ['urgent', totals?.urgent ?? '—', t('cmd.urgent')],
    ['overdue', totals?.overdue ?? '—', t('cmd.overdue')],
    ['new', totals?.newToday ?? '—', t('cmd.newToday')],
    ['closed', totals?.closedToday ?? '—', t('cmd.closedToday')],
    ['alarms', alarms.size, t('cmd.alarms')],
    ['inspectors', inspectors.length, t('cmd.inspectors')],
  ];
  const rootName = figures?.path[0]?.name;
  const ready = mapReady && cases !== null && figures !== null;
  const gridDetail = figures?.grid ?? null;
  const childLevel = useMemo(() => figures?.children[0]?.level, [figures]);

  return (
    <div
      className="cmd"
      data-testid="command"
      data-ready={ready ? 'true' : 'false'}
      data-first-view-ms={firstView ?? ''}
      data-area={figures?.area.code ?? ''}
      data-cases={openOnMap}
      data-cases-area={casesArea ?? ''}
      data-alarms={alarms.size}
      data-focus={focus ? `${focus.kind}:${focus.id}` : ''}
      data-replay={replay ? 'true' : 'false'}
    >
      <header className="cmd-head">
        <a className="cmd-btn cmd-back" href="#/dispatch" data-testid="cmd-back">
          ← {t('cmd.back')}
        </a>
        <h1 className="cmd-title">
          {t('cmd.title')}
          {rootName && <span className="cmd-title__area">{rootName}</span>}
        </h1>
        <nav
          className="cmd-crumbs"
          aria-label="breadcrumbs"
          data-testid="cmd-crumbs"
          data-depth={figures?.path.length ?? 0}
        >
          {figures?.path.map((p, i) => (
            <span key={p.code}>
              {i > 0 && <span className="cmd-crumbs__sep">›</span>}
              <button
                type="button"
                data-code={p.code}
                aria-current={p.code === figures.area.code ? 'page' : undefined}
                onClick={() => drill(p.code)}
              >
                {p.name}
              </button>
            </span>
          ))}
        </nav>
        <div className="cmd-head__right">
          <label className="cmd-toggle">
            <input type="checkbox" checked={autoFocus} onChange={(e) => setAutoFocus(e.target.checked)} />
            {t('cmd.autoFocus')}
          </label>
          <span className={`cmd-live ${connected ? 'on' : 'off'}`} data-testid="cmd-live">
            {connected ? t('cmd.live') : t('cmd.offline')}
          </span>
          <Clock />
          <LangSwitch />
        </div>
      </header>

      <aside className="cmd-left">
        <VitalsPanel vitals={vitals} />
        <LinkedPlatformsPanel list={linked} area={area ?? null} />
        <Panel title={t('cmd.categories')} className="grow">
          {charts.categories}
        </Panel>
        <Panel title={t('cmd.sources')} className="grow">
          {charts.sources}
        </Panel>
      </aside>

      <main className="cmd-center">
        <div ref={container} className="cmd-map" data-testid="cmd-map" />
        <div className="cmd-kpis" data-testid="cmd-kpis">
          {kpis.map(([key, value, label]) => (
            <div key={key} className={`cmd-kpi kpi-${key}`} data-kpi={key}>
              <span className="cmd-kpi__value">
                {typeof value === 'number' ? value.toLocaleString('zh-CN') : value}
              </span>
              <span className="cmd-kpi__label">{label}</span>
            </div>
          ))}
        </div>
        <ul className="cmd-legend">
          <li className="lg-urgent">{t('cmd.legend.urgent')}</li>
          <li className="lg-overdue">{t('cmd.legend.overdue')}</li>
          <li className="lg-normal">{t('cmd.legend.normal')}</li>
          <li className="lg-alarm">{t('cmd.legend.alarm')}</li>
          <li className="lg-inspector">{t('cmd.legend.inspector')}</li>
        </ul>
        <ReplayBar area={area} view={replay} onChange={setReplay} />
      </main>

      <aside className="cmd-right">
        {/* A focused incident takes the ranking's place; the trend stays, so the city's picture
            does not vanish while one case is looked at (issue 18). */}
        {focus ? (
          <FocusPanel focus={focus} onClose={leaveFocus} />
        ) : (
          <Panel
            title={`${t('cmd.ranking')}${childLevel ? ` · ${t(`cmd.level.${childLevel}` as MessageKey)}` : ''}`}
            className="grow"
            testId="cmd-ranking-panel"
          >
            {gridDetail ? <GridPanel grid={gridDetail} /> : charts.ranking}
          </Panel>
        )}
        <CommandIncident map={mapReady ? mapRef.current : null} />
        <Panel title={t('cmd.trend')} className="grow">
          {charts.trend}
        </Panel>
        <Panel title={t('cmd.ticker')} className="cmd-ticker-panel">
          <Ticker items={ticker} onPick={(target) => target && void takeFocus(target)} />
        </Panel>
      </aside>
    </div>
  );
}
