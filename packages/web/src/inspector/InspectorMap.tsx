/**
 * The inspector's small map over the base map: a draggable pin for the report's position (tap the
 * map to move it too), the located unit grid highlighted, and the patrol track as a line.
 */
import {
  type FilterSpecification,
  type GeoJSONSource,
  type MapLibreMap,
  Marker,
  NavigationControl,
} from 'maplibre-gl';
import { useEffect, useRef, useState } from 'react';
import { createMap } from '../map/factory.ts';
import { buildStyle, noneSelected, shanghai } from '../map/style.ts';

export interface LngLat {
  lng: number;
  lat: number;
}

function line(track: LngLat[]): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: track.length
      ? [
          {
            type: 'Feature',
            properties: {},
            geometry: { type: 'LineString', coordinates: track.map((p) => [p.lng, p.lat]) },
          },
          {
            type: 'Feature',
            properties: { last: true },
            geometry: { type: 'Point', coordinates: [track.at(-1)!.lng, track.at(-1)!.lat] },
          },
        ]
      : [],
  };
}

export function InspectorMap({
  pin,
  onPinMove,
  gridCode,
  track,
  bounds,
  testId,
}: {
  pin?: LngLat | null;
  onPinMove?(p: LngLat): void;
  gridCode?: string | null;
  track?: LngLat[];
  /** Where to open when there is no pin and no track yet: the inspector's beat [w, s, e, n]. */
  bounds?: readonly [number, number, number, number] | null;
  testId: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const markerRef = useRef<Marker | null>(null);
  const [ready, setReady] = useState(false);
  const moved = useRef(onPinMove);
  moved.current = onPinMove;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the map is made once; pin, grid and track follow below
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const start = pin ?? track?.at(-1);
    let map: MapLibreMap;
    try {
      map = createMap({
        container: el,
        style: buildStyle(window.location.origin),
        center: start ? [start.lng, start.lat] : shanghai.center,
        zoom: start ? 16 : shanghai.zoom,
      });
    } catch {
      return; // no WebGL: the form still works with the coordinates shown as text
    }
    mapRef.current = map;
    map.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    map.on('load', () => {
      map.addSource('track', { type: 'geojson', data: line([]) });
      map.addLayer({
        id: 'track-line',
        type: 'line',
        source: 'track',
        paint: { 'line-color': '#1463c8', 'line-width': 3.5, 'line-opacity': 0.85 },
        layout: { 'line-cap': 'round', 'line-join': 'round' },
      });
      map.addLayer({
        id: 'track-last',
        type: 'circle',
        source: 'track',
        filter: ['==', ['get', 'last'], true],
        paint: {
          'circle-radius': 7,
          'circle-color': '#1463c8',
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 2.5,
        },
      });
      setReady(true);
    });
    map.on('click', (e) => moved.current?.({ lng: e.lngLat.lng, lat: e.lngLat.lat }));
    return () => {
      mapRef.current = null;
      markerRef.current = null;
      setReady(false);
      map.remove();
    };
  }, []);

  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    if (!pin) {
      markerRef.current?.remove();
      markerRef.current = null;
      return;
    }
    if (!markerRef.current) {
      const m = new Marker({ draggable: Boolean(onPinMove), color: '#d64545' })
        .setLngLat([pin.lng, pin.lat])
        .addTo(map);
      m.on('dragend', () => {
        const p = m.getLngLat();
        moved.current?.({ lng: p.lng, lat: p.lat });
      });
      markerRef.current = m;
      map.jumpTo({ center: [pin.lng, pin.lat], zoom: Math.max(map.getZoom(), 16) });
    } else {
      markerRef.current.setLngLat([pin.lng, pin.lat]);
      if (!map.getBounds().contains([pin.lng, pin.lat])) map.easeTo({ center: [pin.lng, pin.lat] });
    }
  }, [pin, onPinMove]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready) return;
    const f: FilterSpecification = gridCode ? ['==', ['to-string', ['get', 'code']], gridCode] : noneSelected;
    map.setFilter('unit-grids-selected-fill', f);
    if (map.getLayer('unit-grids-selected-line')) map.setFilter('unit-grids-selected-line', f);
  }, [gridCode, ready]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready || !track) return;
    map.getSource<GeoJSONSource>('track')?.setData(line(track));
    const last = track.at(-1);
    if (last && !pin) map.easeTo({ center: [last.lng, last.lat], zoom: Math.max(map.getZoom(), 15) });
  }, [track, ready, pin]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready || !bounds || pin || track?.length) return;
    map.fitBounds(
      [
        [bounds[0], bounds[1]],
        [bounds[2], bounds[3]],
      ],
      { padding: 24, maxZoom: 17, duration: 0 },
    );
  }, [bounds, ready, pin, track]);

  return (
    <div
      ref={container}
      className="insp-map"
      data-testid={testId}
      data-ready={ready ? 'true' : 'false'}
      data-bounds={bounds ? bounds.map((x) => x.toFixed(4)).join(',') : ''}
    />
  );
}
