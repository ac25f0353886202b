/** A small map of case points over the base map (map/factory.ts). */
import { type GeoJSONSource, type MapLibreMap, NavigationControl } from 'maplibre-gl';
import { useEffect, useRef, useState } from 'react';
import { createMap } from '../map/factory.ts';
import { buildStyle, shanghai } from '../map/style.ts';

export interface CasePoint {
  id: number;
  lng: number;
  lat: number;
  /** ok | warning | overdue | urgent | closed — the point's colour */
  tone: string;
}

const toneColor = [
  'match',
  ['get', 'tone'],
  'overdue',
  '#d64545',
  'warning',
  '#e39a12',
  'urgent',
  '#c2410c',
  'closed',
  '#8a94a3',
  // An available resource (emergency screens).
  'ok',
  '#16a34a',
  '#1463c8',
] as const;

function data(points: CasePoint[]): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: points.map((p) => ({
      type: 'Feature',
      id: p.id,
      properties: { id: p.id, tone: p.tone },
      geometry: { type: 'Point', coordinates: [p.lng, p.lat] },
    })),
  };
}

export function CaseMap({
  points,
  selected,
  onSelect,
  zoom = 15,
}: {
  points: CasePoint[];
  selected: number | null;
  onSelect?(id: number): void;
  zoom?: number;
}) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const [ready, setReady] = useState(false);
  const select = useRef(onSelect);
  select.current = onSelect;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the map is created once; later points are applied by another effect
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    let map: MapLibreMap;
    try {
      map = createMap({
        container: el,
        style: buildStyle(window.location.origin),
        center: points[0] ? [points[0].lng, points[0].lat] : shanghai.center,
        zoom: points[0] ? zoom : shanghai.zoom,
      });
    } catch {
      return;
    }
    mapRef.current = map;
    map.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    map.on('load', () => {
      map.addSource('cases', { type: 'geojson', data: data([]) });
      map.addLayer({
        id: 'cases-halo',
        type: 'circle',
        source: 'cases',
        filter: ['==', ['get', 'id'], -1],
        paint: { 'circle-radius': 13, 'circle-color': '#1463c8', 'circle-opacity': 0.25 },
      });
      map.addLayer({
        id: 'cases-dot',
        type: 'circle',
        source: 'cases',
        paint: {
          'circle-radius': 6.5,
          'circle-color': toneColor as unknown as string,
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 2,
        },
      });
      map.on('click', 'cases-dot', (e) => {
        const id = e.features?.[0]?.properties?.id;
        if (typeof id === 'number') select.current?.(id);
      });
      map.on('mouseenter', 'cases-dot', () => {
        map.getCanvas().style.cursor = 'pointer';
      });
      map.on('mouseleave', 'cases-dot', () => {
        map.getCanvas().style.cursor = '';
      });
      setReady(true);
    });
    return () => {
      mapRef.current = null;
      setReady(false);
      map.remove();
    };
    // The map is made once; points and selection follow in the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready) return;
    map.getSource<GeoJSONSource>('cases')?.setData(data(points));
  }, [points, ready]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready) return;
    map.setFilter('cases-halo', ['==', ['get', 'id'], selected ?? -1]);
    const p = points.find((x) => x.id === selected);
    if (p) map.easeTo({ center: [p.lng, p.lat], zoom: Math.max(map.getZoom(), zoom), duration: 400 });
  }, [selected, ready, points, zoom]);

  return (
    <div ref={container} className="case-map" data-testid="case-map" data-ready={ready ? 'true' : 'false'} />
  );
}
