import {
  type FilterSpecification,
  type GeoJSONSource,
  type LngLat,
  type MapLibreMap,
  LngLat as MapLngLat,
  Marker,
  NavigationControl,
  ScaleControl,
  type VectorTileSource,
} from 'maplibre-gl';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Icon } from '../app/icons.tsx';
import { useAuth } from '../auth/auth.tsx';
import { useT } from '../i18n/i18n.tsx';
import { type AddressCandidate, AddressSearch } from './AddressSearch.tsx';
import { createMap } from './factory.ts';
import { LayerPanel, useLayerVisibility } from './LayerPanel.tsx';
import { LocatePanel } from './LocatePanel.tsx';
import { LabelIndex } from './labels.ts';
import { buildStyle, groupLayers, labelSource, noneSelected, shanghai, tileLayers } from './style.ts';
import { type LocateState, useLocate } from './useLocate.ts';
import './map.css';

const narrow = '(max-width: 640px)';

function newMap(container: HTMLElement): MapLibreMap {
  return createMap({
    container,
    style: buildStyle(window.location.origin),
    minZoom: 7,
    maxZoom: 19,
    // The view lives in the address (#map=zoom/lat/lng): a view can be shared, and survives a reload.
    hash: 'map',
  });
}

/** Shows what `locate` found: the clicked unit grid and district outlined on the map. */
function applySelection(map: MapLibreMap, state: LocateState) {
  const result = state.status === 'done' ? state.result : null;
  const byCode = (code: string | undefined) =>
    code ? (['==', ['to-string', ['get', 'code']], code] as FilterSpecification) : noneSelected;
  const grid = byCode(result?.unitGrid?.code);
  map.setFilter('unit-grids-selected-fill', grid);
  map.setFilter('unit-grids-selected-line', grid);
  map.setFilter('districts-selected', byCode(result?.district?.code));
}

export default function MapPage() {
  const t = useT();
  const { state: auth } = useAuth();
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const markerRef = useRef<Marker | null>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);
  const [zoom, setZoom] = useState(shanghai.zoom);
  const [visibility, setVisible] = useLayerVisibility();
  const { state: locateState, locate, clear } = useLocate();

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    let map: MapLibreMap;
    try {
      map = newMap(el);
    } catch {
      setFailed(true);
      return;
    }
    mapRef.current = map;
    map.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');

    const labels = new LabelIndex();
    const refreshLabels = () => {
      let changed = false;
      for (const level of ['districts', 'streets'] as const) {
        if (!map.getSource(level)) continue;
        const features = map.querySourceFeatures(level, { sourceLayer: level });
        changed = labels.add(features, level === 'districts' ? 'district' : 'street') || changed;
      }
      if (changed) map.getSource<GeoJSONSource>(labelSource)?.setData(labels.toGeoJSON());
    };

    // `data-idle` tells tests and screenshots that every tile in view has loaded and been drawn.
    const busy = () => {
      el.dataset.idle = 'false';
    };
    map.on('load', () => {
      setZoom(map.getZoom());
      setReady(true);
    });
    map.on('dataloading', busy);
    map.on('movestart', busy);
    map.on('idle', refreshLabels);
    map.on('zoomend', () => setZoom(map.getZoom()));
    map.on('click', (e) => void locate(e.lngLat));
    return () => {
      mapRef.current = null;
      markerRef.current = null;
      setReady(false);
      map.remove();
    };
  }, [locate]);

  // Layer toggles.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready) return;
    for (const layer of tileLayers) {
      for (const id of groupLayers[layer]) {
        if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', visibility[layer] ? 'visible' : 'none');
      }
    }
  }, [visibility, ready]);

  // The clicked point and what it lies in.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready) return;
    applySelection(map, locateState);
    const at: LngLat | null = locateState.status === 'idle' ? null : locateState.lngLat;
    if (!at) {
      markerRef.current?.remove();
      markerRef.current = null;
      return;
    }
    if (!markerRef.current) {
      const el = document.createElement('div');
      el.className = 'locate-marker';
      markerRef.current = new Marker({ element: el, anchor: 'bottom' });
    }
    markerRef.current.setLngLat(at).addTo(map);
    // On a phone the answer slides up over the lower half: keep the point in sight above it.
    if (locateState.status === 'loading' && window.matchMedia(narrow).matches) {
      const y = map.project(at).y;
      const target = map.getContainer().clientHeight * 0.25;
      if (y > target * 1.6) map.panBy([0, y - target]);
    }
  }, [locateState, ready]);

  // After a re-login, what the ended session was refused is asked again with the new token.
  const token = auth.status === 'signedIn' && !auth.expired ? auth.session.token : null;
  const lastToken = useRef(token);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !ready || !token || token === lastToken.current) return;
    lastToken.current = token;
    for (const layer of tileLayers) {
      const source = map.getSource<VectorTileSource>(layer);
      if (source?.tiles) source.setTiles(source.tiles);
    }
    if (locateState.status === 'unauthorized') void locate(locateState.lngLat);
  }, [token, ready, locateState, locate]);

  /** An address picked in the search: fly there and locate it as if clicked. */
  const goTo = useCallback(
    (c: AddressCandidate) => {
      mapRef.current?.flyTo({ center: [c.lng, c.lat], zoom: Math.max(mapRef.current.getZoom(), 17) });
      void locate(new MapLngLat(c.lng, c.lat));
    },
    [locate],
  );

  const resetView = useCallback(() => {
    mapRef.current?.flyTo({ center: shanghai.center, zoom: shanghai.zoom });
  }, []);

  return (
    <div className="map-page">
      <div ref={container} className="map-canvas" data-testid="map" data-ready={ready ? 'true' : 'false'} />
      {failed && <div className="map-failed">{t('map.webglMissing')}</div>}
      <LayerPanel visibility={visibility} onToggle={setVisible} zoom={zoom} />
      <div className="map-search">
        <AddressSearch onPick={goTo} />
      </div>
      <div className="map-toolbar">
        <button type="button" className="map-tool" onClick={resetView} title={t('map.resetView')}>
          <Icon name="home" size={18} />
        </button>
      </div>
      <div className="map-status" aria-live="polite">
        <span>{t('map.zoom', { zoom: zoom.toFixed(1) })}</span>
        <span className="map-status__hint">{t('map.clickHint')}</span>
      </div>
      <LocatePanel state={locateState} onClose={clear} />
    </div>
  );
}
