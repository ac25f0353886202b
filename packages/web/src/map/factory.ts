/**
 * The one place a MapLibre map is made (staff map, case maps, the citizen pin, the inspector's
 * map, the command screen, the responsibility matrix): the worker, local CJK label fonts, the
 * session token on our API's tiles, a 401 sending the person to the login, busy/idle marks for
 * the browser tests, and the base map of ONEGRID_BASEMAP under our layers (basemap.ts).
 */
import 'maplibre-gl/dist/maplibre-gl.css';
import { MapLibreMap, type MapOptions, type StyleSpecification, setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { getToken, notifyUnauthorized } from '../api/client.ts';
import { applyBasemap, type BasemapTheme } from './basemap.ts';
import { labelFonts, shanghai } from './style.ts';

setWorkerUrl(workerUrl);

const apiPrefix = `${window.location.origin}/api/`;

export interface CreateMapOptions
  extends Partial<Omit<MapOptions, 'container' | 'style' | 'transformRequest' | 'localIdeographFontFamily'>> {
  container: HTMLElement;
  style: StyleSpecification;
  /** light (every staff and citizen map) or dark (the command screen): how a raster base is toned. */
  theme?: BasemapTheme;
  /** Draw the configured base map under our layers (default true). */
  basemap?: boolean;
}

/** A new map; throws where WebGL is missing (callers keep their forms working without it). */
export function createMap({
  container,
  style,
  theme = 'light',
  basemap = true,
  ...rest
}: CreateMapOptions): MapLibreMap {
  const map = new MapLibreMap({
    container,
    style,
    center: shanghai.center,
    zoom: shanghai.zoom,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    localIdeographFontFamily: labelFonts.join(', '),
    // Every API call carries the session's bearer token, tiles included.
    transformRequest: (url) => {
      const token = getToken();
      return url.startsWith(apiPrefix) && token
        ? { url, headers: { Authorization: `Bearer ${token}` } }
        : { url };
    },
    ...rest,
  });
  map.on('idle', () => {
    if (map.areTilesLoaded()) container.dataset.idle = 'true';
  });
  map.on('dataloading', () => {
    container.dataset.idle = 'false';
  });
  map.on('error', (e) => {
    if ((e.error as { status?: unknown } | undefined)?.status === 401) notifyUnauthorized();
  });
  if (basemap) {
    map.once('style.load', () => {
      void applyBasemap(map, theme).then((kind) => {
        container.dataset.basemap = kind;
      });
    });
  }
  return map;
}
