/** The command screen's map: creation, and the overlays drawn over the case clusters. */
import { type FilterSpecification, type GeoJSONSource, type MapLibreMap, Marker, prewarm } from 'maplibre-gl';
import { type RefObject, useEffect, useRef, useState } from 'react';
import { createMap } from '../map/factory.ts';
import { labelSource, noneSelected, shanghai } from '../map/style.ts';
import {
  buildCommandStyle,
  inspectorSource,
  liveLayers,
  liveSource,
  replaySource,
  severityColour,
  trackSource,
} from './commandStyle.ts';
import type { Alarm, AreaFigures, CommandCases, InspectorPosition } from './data.ts';
import type { ReplayView } from './Replay.tsx';

// The map's worker starts (and parses its half-megabyte script) while the page renders.
prewarm();

export type Feature = GeoJSON.Feature<GeoJSON.Point, Record<string, number | string>>;
export const collection = (features: GeoJSON.Feature[]): GeoJSON.FeatureCollection => ({
  type: 'FeatureCollection',
  features,
});

export function casesToGeoJSON(c: CommandCases): GeoJSON.FeatureCollection {
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

export function hashArea(): string | undefined {
  const code = new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('area');
  return code && /^\d{4,15}$/.test(code) ? code : undefined;
}

/** The map, once: our own dark style, the session token on API tiles, busy/idle marks for tests. */
export function useCommandMap(
  container: RefObject<HTMLDivElement | null>,
  mapRef: RefObject<MapLibreMap | null>,
): boolean {
  const [mapReady, setMapReady] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on mount; container and mapRef are the page's refs
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    performance.mark('cmd:map-create');
    const map = createMap({
      container: el,
      style: buildCommandStyle(window.location.origin, Math.max(1, window.innerWidth / 1920)),
      theme: 'dark',
      center: shanghai.center,
      zoom: shanghai.zoom,
      minZoom: 6,
      maxZoom: 19,
      // No label fade-in: every fading frame is a full repaint, and a wall without a GPU pays for each.
      fadeDuration: 0,
    });
    mapRef.current = map;
    const busy = () => {
      el.dataset.idle = 'false';
    };
    // The sources take data once the style is in, so case data is clustered while the first tiles
    // still travel ('load' waits for every tile in view).
    map.once('style.load', () => setMapReady(true));
    map.on('load', () => {
      performance.mark('cmd:map-load');
      el.dataset.mapLoadMs = String(Math.round(performance.now()));
    });
    map.on('dataloading', busy);
    const districtsIn = (e: { sourceId?: string }) => {
      if (e.sourceId !== 'districts' || !map.isSourceLoaded('districts')) return;
      performance.mark('cmd:district-tiles');
      map.off('sourcedata', districtsIn);
    };
    map.on('sourcedata', districtsIn);
    map.on('movestart', busy);
    map.on('idle', () => {
      el.dataset.zoom = map.getZoom().toFixed(2);
    });
    return () => {
      mapRef.current = null;
      setMapReady(false);
      map.remove();
    };
  }, []);
  return mapReady;
}

/**
 * What is drawn over the cases once the first view is on screen: live reports, inspectors and
 * their tracks, the labels and outline of the area drilled into, pulsing alarms, and replay.
 */
export function useOverlays({
  map,
  mapReady,
  drawn,
  live,
  inspectors,
  figures,
  alarms,
  replay,
  takeFocus,
}: {
  map: MapLibreMap | null;
  mapReady: boolean;
  drawn: boolean;
  live: Map<number, Feature>;
  inspectors: InspectorPosition[];
  figures: AreaFigures | null;
  alarms: Map<number, Alarm>;
  replay: ReplayView | null;
  takeFocus: (target: { alarm: number }) => Promise<void>;
}): void {
  const markers = useRef(new Map<number, Marker>());
  // The small sources wait for the first view: every update is a trip through the map's worker.
  useEffect(() => {
    if (!map || !mapReady || !drawn) return;
    map.getSource<GeoJSONSource>(liveSource)?.setData(collection([...live.values()]));
  }, [live, mapReady, drawn, map]);
  useEffect(() => {
    if (!map || !mapReady || !drawn) return;
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
  }, [inspectors, mapReady, drawn, map]);
  // Labels: the areas one level down, at their centres.
  useEffect(() => {
    if (!map || !mapReady || !figures || !drawn) return;
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
  }, [figures, mapReady, drawn, map]);

  // Alarms pulse where they are (HTML markers: CSS animation, no map repaint per frame).
  useEffect(() => {
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
  }, [alarms, mapReady, replay, takeFocus, map]);

  // Replay hides the live picture and draws the recorded one.
  useEffect(() => {
    if (!map || !mapReady) return;
    for (const id of liveLayers) map.setLayoutProperty(id, 'visibility', replay ? 'none' : 'visible');
    map.getSource<GeoJSONSource>(replaySource)?.setData(replay ? replay.data : collection([]));
  }, [replay, mapReady, map]);
}
