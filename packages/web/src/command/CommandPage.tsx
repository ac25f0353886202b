/**
 * 综合指挥屏 · 一屏观天下: the city on one screen for a video wall (1920×1080, 3840×2160). A dark
 * map of our own tiles with open cases (clustered, heatmap), pulsing alarms, inspectors and their
 * tracks; vital signs, charts and a live ticker around it. Live from the SSE stream; drill-down
 * district → street → unit grid; an urgent case or red alarm takes the screen; replay of a day.
 */
import 'maplibre-gl/dist/maplibre-gl.css';
import {
  type FilterSpecification,
  type GeoJSONSource,
  MapLibreMap,
  type MapMouseEvent,
  Marker,
  setWorkerUrl,
} from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { getToken, notifyUnauthorized } from '../api/client.ts';
import { LangSwitch } from '../app/LangSwitch.tsx';
import { statusShort } from '../cases/names.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { labelFonts, labelSource, noneSelected, shanghai } from '../map/style.ts';
import {
  areaLayers,
  buildCommandStyle,
  caseSource,
  inspectorSource,
  liveLayers,
  liveSource,
  replaySource,
  severityColour,
  trackSource,
} from './commandStyle.ts';
import {
  type Alarm,
  type AreaFigures,
  type CommandCases,
  type Focus,
  type InspectorPosition,
  loadAlarms,
  loadArea,
  loadCase,
  loadCases,
  loadFocus,
  loadInspectors,
  loadVitals,
  type StreamEvent,
  useCommandStream,
  type Vitals,
} from './data.ts';
import { FocusPanel, GridPanel, Panel, Ticker, type TickerItem, useCharts, VitalsPanel } from './panels.tsx';
import { ReplayBar, type ReplayView } from './Replay.tsx';
import './command.css';

setWorkerUrl(workerUrl);

const apiPrefix = `${window.location.origin}/api/`;
const finished = new Set(['closed', 'rejected', 'merged']);
type Target = { case: number } | { alarm: number };
type Feature = GeoJSON.Feature<GeoJSON.Point, Record<string, number | string>>;
const collection = (features: GeoJSON.Feature[]): GeoJSON.FeatureCollection => ({
  type: 'FeatureCollection',
  features,
});

function casesToGeoJSON(c: CommandCases): GeoJSON.FeatureCollection {
  const { id, lng, lat, urgent, overdue, status } = c.cases;
  const features = new Array<GeoJSON.Feature>(id.length);
  for (let i = 0; i < id.length; i++) {
    features[i] = {
      type: 'Feature',
      id: id[i],
      geometry: { type: 'Point', coordinates: [lng[i]!, lat[i]!] },
      properties: { u: urgent[i]!, o: overdue[i]!, s: status[i]! },
    };
  }
  return collection(features);
}

function Clock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const h = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(h);
  }, []);
  return (
    <time className="cmd-clock">
      {now.toLocaleDateString('zh-CN')} {now.toLocaleTimeString('zh-CN', { hour12: false })}
    </time>
  );
}

export default function CommandPage() {
  const { t, lang } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const [mapReady, setMapReady] = useState(false);
  const [figures, setFigures] = useState<AreaFigures | null>(null);
  const [area, setArea] = useState<string | undefined>(undefined);
  const [vitals, setVitals] = useState<Vitals | null>(null);
  const [cases, setCases] = useState<CommandCases | null>(null);
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
  const markers = useRef(new Map<number, Marker>());

  // The map, once.
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const map = new MapLibreMap({
      container: el,
      style: buildCommandStyle(window.location.origin, Math.max(1, window.innerWidth / 1920)),
      center: shanghai.center,
      zoom: shanghai.zoom,
      minZoom: 6,
      maxZoom: 19,
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      localIdeographFontFamily: labelFonts.join(', '),
      transformRequest: (url) => {
        const token = getToken();
        return url.startsWith(apiPrefix) && token
          ? { url, headers: { Authorization: `Bearer ${token}` } }
          : { url };
      },
    });
    mapRef.current = map;
    const busy = () => {
      el.dataset.idle = 'false';
    };
    map.on('load', () => {
      el.dataset.mapLoadMs = String(Math.round(performance.now()));
      setMapReady(true);
    });
    map.on('dataloading', busy);
    map.on('movestart', busy);
    map.on('idle', () => {
      if (map.areTilesLoaded()) el.dataset.idle = 'true';
    });
    map.on('error', (e) => {
      if ((e.error as { status?: unknown } | undefined)?.status === 401) notifyUnauthorized();
    });
    return () => {
      mapRef.current = null;
      setMapReady(false);
      map.remove();
    };
  }, []);

  // Drill-down figures of the current area (the caller's scope at first).
  const fitted = useRef(false);
  const reloadFigures = useCallback(async () => {
    const f = await loadArea(area).catch(() => null);
    if (f) setFigures(f);
    return f;
  }, [area]);
  useEffect(() => {
    void reloadFigures().then((f) => {
      const map = mapRef.current;
      if (!f?.bbox || !map) return;
      // The first view jumps (no animation): a frame costs much on a wall without a GPU.
      const first = !fitted.current;
      fitted.current = true;
      map.fitBounds(f.bbox as [number, number, number, number], {
        padding: 60,
        duration: first ? 0 : 800,
        maxZoom: 17,
      });
    });
  }, [reloadFigures]);
  const reloadVitals = useCallback(() => void loadVitals(area).then(setVitals), [area]);
  useEffect(reloadVitals, [reloadVitals]);

  // The whole scope's open cases, alarms and inspectors; refreshed now and then, live in between.
  const reloadCases = useCallback(async () => {
    const c = await loadCases().catch(() => null);
    if (!c) return;
    if (container.current && !container.current.dataset.casesMs) {
      container.current.dataset.casesMs = String(Math.round(performance.now()));
    }
    setCases(c);
    setLive(new Map());
  }, []);
  const reloadInspectors = useCallback(
    () =>
      void loadInspectors()
        .then(setInspectors)
        .catch(() => undefined),
    [],
  );
  useEffect(() => {
    void reloadCases();
    void loadAlarms()
      .then((items) => setAlarms(new Map(items.filter((a) => a.location).map((a) => [a.id, a]))))
      .catch(() => undefined);
    reloadInspectors();
    const h = setInterval(reloadInspectors, 30_000);
    return () => clearInterval(h);
  }, [reloadCases, reloadInspectors]);

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
        if (action === 'report') {
          const feature: Feature = {
            type: 'Feature',
            id,
            geometry: { type: 'Point', coordinates: [Number(d.lng), Number(d.lat)] },
            properties: { u: 0, o: 0, fresh: 1 },
          };
          setLive((m) => new Map(m).set(id, feature));
          // The event does not carry urgency: one look at the case tells, and an urgent one takes the screen.
          void loadCase(id)
            .then((c) => {
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

  // Data → map sources.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !mapReady || !cases) return;
    map.getSource<GeoJSONSource>(caseSource)?.setData(casesToGeoJSON(cases));
    if (firstView === null) {
      map.once('idle', () => setFirstView(Math.round(performance.now())));
    }
  }, [cases, mapReady, firstView]);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !mapReady) return;
    map.getSource<GeoJSONSource>(liveSource)?.setData(collection([...live.values()]));
  }, [live, mapReady]);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !mapReady) return;
    map.getSource<GeoJSONSource>(inspectorSource)?.setData(
      collection(
        inspectors.map((i) => ({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [i.lng, i.lat] },
          properties: { name: i.name, id: i.userId },
        })),
      ),
    );
    map.getSource<GeoJSONSource>(trackSource)?.setData(
      collection(
        inspectors
          .filter((i) => i.track.length > 1)
          .map((i) => ({
            type: 'Feature',
            geometry: { type: 'LineString', coordinates: i.track.map((p) => [p[0] ?? i.lng, p[1] ?? i.lat]) },
            properties: { id: i.userId },
          })),
      ),
    );
  }, [inspectors, mapReady]);
  // Labels: the areas one level down, at their centres.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !mapReady || !figures) return;
    const kids = figures.children.filter((c) => c.level !== 'grid' && c.lng !== null && c.lat !== null);
    map.getSource<GeoJSONSource>(labelSource)?.setData(
      collection(
        kids.map((c) => ({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [c.lng!, c.lat!] },
          properties: { name: c.name },
        })),
      ),
    );
    const code = figures.area.code;
    const by = (n: number): FilterSpecification =>
      code.length === n && figures.path.length > 1
        ? ['==', ['to-string', ['get', 'code']], code]
        : noneSelected;
    map.setFilter('districts-selected', by(6));
    map.setFilter('streets-selected', by(9));
    map.setFilter('unit-grids-selected', by(15));
  }, [figures, mapReady]);

  // Alarms pulse where they are (HTML markers: CSS animation, no map repaint per frame).
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !mapReady) return;
    const shown = markers.current;
    for (const [id, m] of shown) {
      if (!alarms.has(id) || replay) {
        m.remove();
        shown.delete(id);
      }
    }
    if (replay) return;
    for (const a of alarms.values()) {
      if (shown.has(a.id) || !a.location) continue;
      const el = document.createElement('button');
      el.type = 'button';
      el.className = `cmd-alarm sev-${a.severity}`;
      el.dataset.alarm = String(a.id);
      el.title = `${a.deviceName} · ${a.ruleName}`;
      el.style.setProperty('--sev', severityColour[a.severity] ?? '#ff4d4f');
      el.addEventListener('click', (ev) => {
        ev.stopPropagation();
        void takeFocus({ alarm: a.id });
      });
      shown.set(a.id, new Marker({ element: el }).setLngLat([a.location.lng, a.location.lat]).addTo(map));
    }
  }, [alarms, mapReady, replay, takeFocus]);

  // Replay hides the live picture and draws the recorded one.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !mapReady) return;
    for (const id of liveLayers) map.setLayoutProperty(id, 'visibility', replay ? 'none' : 'visible');
    map.getSource<GeoJSONSource>(replaySource)?.setData(replay ? replay.data : collection([]));
  }, [replay, mapReady]);

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

  const drill = useCallback((code: string) => {
    setFocus(null);
    setArea(code);
  }, []);
  const charts = useCharts(figures, drill);
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
        {focus ? (
          <FocusPanel focus={focus} onClose={leaveFocus} />
        ) : (
          <>
            <Panel
              title={`${t('cmd.ranking')}${childLevel ? ` · ${t(`cmd.level.${childLevel}` as MessageKey)}` : ''}`}
              className="grow"
              testId="cmd-ranking-panel"
            >
              {gridDetail ? <GridPanel grid={gridDetail} /> : charts.ranking}
            </Panel>
            <Panel title={t('cmd.trend')} className="grow">
              {charts.trend}
            </Panel>
          </>
        )}
        <Panel title={t('cmd.ticker')} className="cmd-ticker-panel">
          <Ticker items={ticker} onPick={(target) => target && void takeFocus(target)} />
        </Panel>
      </aside>
    </div>
  );
}
