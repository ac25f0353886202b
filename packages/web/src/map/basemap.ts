/**
 * The base map under our layers (ONEGRID_BASEMAP, docs/basemap.md). With none, our own roads and
 * water layers (in every style) are the base. Otherwise they step aside and the configured tiles
 * go in just above the background: raster (天地图, any XYZ, a raster PMTiles), a vector PMTiles
 * drawn in a generic style, or a whole MapLibre style. GCJ-02 raster tiles are re-cut on the fly
 * into WGS-84 tiles by the `gcj02://` protocol (gcj02Pieces in @onegrid/domain), so they sit
 * under our WGS-84 layers without the 300–600 m offset.
 */
import { gcj02Pieces } from '@onegrid/domain';
import {
  addProtocol,
  type LayerSpecification,
  type MapLibreMap,
  type SourceSpecification,
  type StyleSpecification,
} from 'maplibre-gl';
import { labelFonts } from './style.ts';

export type BasemapTheme = 'light' | 'dark';

export interface BasemapView {
  kind: 'none' | 'raster' | 'vector' | 'style';
  crs: 'wgs84' | 'gcj02';
  tiles?: string[];
  labels?: string[];
  style?: string;
  minzoom?: number;
  maxzoom?: number;
  attribution?: string;
  vectorLayers?: { id: string }[];
}

/** Our own base layers: hidden when another base map is drawn. */
export const ownBaseLayers = ['water-fill', 'water-labels', 'roads-casing', 'roads-line', 'road-labels'];

let view: Promise<BasemapView> | undefined;
export function loadBasemap(): Promise<BasemapView> {
  view ??= fetch('/api/v1/public/basemap')
    .then((r) =>
      r.ok ? (r.json() as Promise<BasemapView>) : { kind: 'none' as const, crs: 'wgs84' as const },
    )
    .catch(() => ({ kind: 'none' as const, crs: 'wgs84' as const }));
  return view;
}

let gcjRegistered = false;
/** `gcj02://{z}/{x}/{y}?t=<template>`: a WGS-84 tile cut from the GCJ-02 tiles of the template. */
function registerGcj02() {
  if (gcjRegistered) return;
  gcjRegistered = true;
  addProtocol('gcj02', async (params, abort) => {
    const m = /^gcj02:\/\/(\d+)\/(\d+)\/(\d+)\?t=(.+)$/.exec(params.url);
    if (!m) throw new Error(`bad gcj02 tile URL ${params.url}`);
    const [z, x, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const template = decodeURIComponent(m[4]!);
    const canvas = new OffscreenCanvas(256, 256);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d canvas');
    await Promise.all(
      gcj02Pieces(z, x, y).map(async (p) => {
        const url = template
          .replace('{z}', String(z))
          .replace('{x}', String(p.x))
          .replace('{y}', String(p.y));
        const r = await fetch(url, { signal: abort.signal, mode: 'cors' });
        if (!r.ok) return;
        ctx.drawImage(await createImageBitmap(await r.blob()), p.dx, p.dy);
      }),
    );
    return { data: await createImageBitmap(canvas) };
  });
}

function rasterTiles(tiles: string[], crs: BasemapView['crs']): string[] {
  const absolute = tiles.map((t) => (t.startsWith('/') ? `${window.location.origin}${t}` : t));
  if (crs !== 'gcj02') return absolute;
  registerGcj02();
  return absolute.map((t) => `gcj02://{z}/{x}/{y}?t=${encodeURIComponent(t)}`);
}

/** A generic style for a vector archive of unknown schema: water blue, roads white, names. */
function vectorLayers(v: BasemapView, theme: BasemapTheme): LayerSpecification[] {
  const dark = theme === 'dark';
  const out: LayerSpecification[] = [];
  for (const { id } of v.vectorLayers ?? []) {
    const water = /water|river|ocean|lake|sea|水/.test(id);
    const road = /road|street|transport|highway|道路/.test(id);
    const common = { source: 'basemap', 'source-layer': id };
    out.push({
      id: `basemap-${id}-fill`,
      type: 'fill',
      ...common,
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: {
        'fill-color': water ? (dark ? '#0b2a4a' : '#a9cdf0') : dark ? '#0c1a2c' : '#eef1f4',
        'fill-opacity': water ? 1 : 0.6,
      },
    });
    out.push({
      id: `basemap-${id}-line`,
      type: 'line',
      ...common,
      filter: ['==', ['geometry-type'], 'LineString'],
      paint: {
        'line-color': water
          ? '#7fb2e5'
          : road
            ? dark
              ? '#2a4a6a'
              : '#ffffff'
            : dark
              ? '#1b3350'
              : '#d5dbe3',
        'line-width': road ? ['interpolate', ['linear'], ['zoom'], 10, 0.8, 16, 6] : 1,
      },
    });
    out.push({
      id: `basemap-${id}-label`,
      type: 'symbol',
      ...common,
      minzoom: 13,
      layout: {
        'text-field': ['coalesce', ['get', 'name:zh'], ['get', 'name']],
        'text-font': labelFonts,
        'text-size': 12,
        'symbol-placement': road ? 'line' : 'point',
      },
      paint: {
        'text-color': dark ? '#9fb4d0' : '#4a5a6e',
        'text-halo-color': dark ? '#040b16' : '#ffffff',
        'text-halo-width': 1.2,
      },
    });
  }
  return out;
}

/** The id of the first of our layers after the background: base layers go in before it. */
function firstOwnLayer(map: MapLibreMap): string | undefined {
  return map.getStyle().layers.find((l) => l.type !== 'background')?.id;
}

/** Makes our own opaque fills translucent, so the base map shows through. */
function letBaseThrough(map: MapLibreMap, theme: BasemapTheme) {
  for (const id of ownBaseLayers) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', 'none');
  if (map.getLayer('districts-fill'))
    map.setPaintProperty('districts-fill', 'fill-opacity', theme === 'dark' ? 0.35 : 0.2);
}

/** Adds the configured base map to a map whose style has loaded; returns the kind drawn. */
export async function applyBasemap(map: MapLibreMap, theme: BasemapTheme): Promise<BasemapView['kind']> {
  const v = await loadBasemap();
  if (v.kind === 'none' || !map.getStyle()) return 'none';
  const before = firstOwnLayer(map);
  const range = {
    ...(v.minzoom !== undefined ? { minzoom: v.minzoom } : {}),
    ...(v.maxzoom !== undefined ? { maxzoom: v.maxzoom } : {}),
  };
  const attribution = v.attribution ? { attribution: v.attribution } : {};
  if (v.kind === 'raster' && v.tiles) {
    const paint =
      theme === 'dark'
        ? { 'raster-saturation': -0.8, 'raster-brightness-max': 0.35, 'raster-contrast': 0.1 }
        : { 'raster-saturation': -0.15 };
    map.addSource('basemap', {
      type: 'raster',
      tiles: rasterTiles(v.tiles, v.crs),
      tileSize: 256,
      ...range,
      ...attribution,
    });
    map.addLayer({ id: 'basemap', type: 'raster', source: 'basemap', paint }, before);
    if (v.labels) {
      map.addSource('basemap-labels', {
        type: 'raster',
        tiles: rasterTiles(v.labels, v.crs),
        tileSize: 256,
        ...range,
      });
      map.addLayer({ id: 'basemap-labels', type: 'raster', source: 'basemap-labels' }, before);
    }
  } else if (v.kind === 'vector' && v.tiles) {
    map.addSource('basemap', {
      type: 'vector',
      tiles: rasterTiles(v.tiles, 'wgs84'),
      ...range,
      ...attribution,
    });
    for (const layer of vectorLayers(v, theme)) map.addLayer(layer, before);
  } else if (v.kind === 'style' && v.style) {
    const style = (await (await fetch(v.style)).json()) as StyleSpecification;
    if (style.glyphs) map.setGlyphs(style.glyphs);
    for (const [id, source] of Object.entries(style.sources))
      map.addSource(`basemap-${id}`, source as SourceSpecification);
    for (const layer of style.layers) {
      if (layer.type === 'background') continue;
      const src =
        'source' in layer && typeof layer.source === 'string' ? { source: `basemap-${layer.source}` } : {};
      map.addLayer({ ...layer, id: `basemap-${layer.id}`, ...src } as LayerSpecification, before);
    }
  } else return 'none';
  letBaseThrough(map, theme);
  return v.kind;
}
