/**
 * The citizen's map: the base map and our public layers (no components, no duty grids),
 * a tap puts the pin, the pin can be dragged, and "my position" asks the phone's GPS.
 */
import { type MapLibreMap, Marker, NavigationControl, type StyleSpecification } from 'maplibre-gl';
import { useEffect, useRef } from 'react';
import { createMap } from '../map/factory.ts';
import { buildStyle, shanghai } from '../map/style.ts';

const privateLayers = new Set(['components', 'duty-grids']);

/** The staff map's style without the layers that need a login. */
export function publicStyle(origin: string): StyleSpecification {
  const style = buildStyle(origin);
  const sources = Object.fromEntries(Object.entries(style.sources).filter(([id]) => !privateLayers.has(id)));
  const layers = style.layers.filter((l) => !('source' in l) || !privateLayers.has(String(l.source)));
  return { ...style, sources, layers };
}

export interface Pin {
  lng: number;
  lat: number;
}

export function PinMap({ pin, onPin }: { pin: Pin | null; onPin(pin: Pin): void }) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const markerRef = useRef<Marker | null>(null);
  const onPinRef = useRef(onPin);
  onPinRef.current = onPin;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the map is created once; the pin follows in the next effect
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    let map: MapLibreMap;
    try {
      map = createMap({
        container: el,
        style: publicStyle(window.location.origin),
        center: pin ? [pin.lng, pin.lat] : shanghai.center,
        zoom: pin ? 16 : 10,
      });
    } catch {
      // No WebGL: the address field and "my position" still work.
      return;
    }
    mapRef.current = map;
    map.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    map.on('click', (e) => onPinRef.current({ lng: e.lngLat.lng, lat: e.lngLat.lat }));
    return () => {
      markerRef.current = null;
      mapRef.current = null;
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
      const m = new Marker({ draggable: true, color: '#c23434' }).setLngLat([pin.lng, pin.lat]).addTo(map);
      m.on('dragend', () => {
        const p = m.getLngLat();
        onPinRef.current({ lng: p.lng, lat: p.lat });
      });
      markerRef.current = m;
    } else {
      markerRef.current.setLngLat([pin.lng, pin.lat]);
    }
    if (!map.getBounds().contains([pin.lng, pin.lat]) || map.getZoom() < 14) {
      map.easeTo({ center: [pin.lng, pin.lat], zoom: Math.max(map.getZoom(), 16) });
    }
  }, [pin]);

  return <div ref={container} className="pin-map" data-testid="pin-map" />;
}
