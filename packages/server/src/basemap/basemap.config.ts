/**
 * `ONEGRID_BASEMAP` (CONTRACTS.md, docs/basemap.md): what is drawn under OneGrid's own layers.
 *
 *   none                      our own roads and water (import kinds `roads`, `water`), the default
 *   tianditu:<key>            天地图 vector map and its labels (WGS-84 / CGCS2000), a browser key
 *   xyz:<url template>[;gcj02] any raster XYZ source; `;gcj02` for tiles drawn in GCJ-02
 *   pmtiles:<file>[;gcj02]    a PMTiles archive served by OneGrid itself (raster or vector)
 *   style:<url>               a MapLibre style document, drawn under our layers
 */
import fs from 'node:fs';
import path from 'node:path';

export type BasemapCrs = 'wgs84' | 'gcj02';

export type Basemap =
  | { kind: 'none' }
  | { kind: 'tianditu'; key: string }
  | { kind: 'xyz'; url: string; crs: BasemapCrs }
  | { kind: 'pmtiles'; file: string; crs: BasemapCrs }
  | { kind: 'style'; url: string };

export type BasemapParse = { ok: true; basemap: Basemap } | { ok: false; problem: string };

const withCrs = (rest: string): { value: string; crs: BasemapCrs } | { problem: string } => {
  const m = /^(.*?);(wgs84|gcj02|cgcs2000)$/i.exec(rest);
  if (!m) return { value: rest, crs: 'wgs84' };
  const crs = m[2]!.toLowerCase();
  return { value: m[1]!, crs: crs === 'gcj02' ? 'gcj02' : 'wgs84' };
};

const httpUrl = (u: string): boolean => {
  try {
    const url = new URL(u.replace(/\{[a-z]\}/gi, '0'));
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
};

/** Reads the setting; `cwd` resolves a relative PMTiles path. Problems name the variable. */
export function parseBasemap(raw: string | undefined, cwd = process.cwd()): BasemapParse {
  const value = (raw ?? '').trim();
  if (value === '' || value === 'none') return { ok: true, basemap: { kind: 'none' } };
  const colon = value.indexOf(':');
  const kind = colon < 0 ? value : value.slice(0, colon);
  const rest = colon < 0 ? '' : value.slice(colon + 1);
  const bad = (why: string): BasemapParse => ({ ok: false, problem: `ONEGRID_BASEMAP ${why}` });
  switch (kind) {
    case 'tianditu':
      if (!/^[0-9a-f]{32}$/i.test(rest))
        return bad(`tianditu:<key> takes the 32-character 天地图 key, got "${rest}"`);
      return { ok: true, basemap: { kind: 'tianditu', key: rest } };
    case 'xyz': {
      const c = withCrs(rest);
      if ('problem' in c) return bad(c.problem);
      if (!httpUrl(c.value) || !/\{z\}/.test(c.value) || !/\{x\}/.test(c.value) || !/\{y\}/.test(c.value)) {
        return bad(`xyz:<url template> needs an http(s) URL with {z}, {x} and {y}, got "${c.value}"`);
      }
      return { ok: true, basemap: { kind: 'xyz', url: c.value, crs: c.crs } };
    }
    case 'pmtiles': {
      const c = withCrs(rest);
      if ('problem' in c) return bad(c.problem);
      const file = path.resolve(cwd, c.value);
      if (c.value === '' || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        return bad(`pmtiles:<file>: no such file "${file}"`);
      }
      return { ok: true, basemap: { kind: 'pmtiles', file, crs: c.crs } };
    }
    case 'style':
      if (!httpUrl(rest)) return bad(`style:<url> needs an http(s) URL of a style document, got "${rest}"`);
      return { ok: true, basemap: { kind: 'style', url: rest } };
    default:
      return bad(
        `must be none, tianditu:<key>, xyz:<url>[;gcj02], pmtiles:<file>[;gcj02] or style:<url>; got "${value}"`,
      );
  }
}

/** 天地图's tiles: eight hosts, Web Mercator (`_w`), the vector map and its Chinese labels. */
export function tiandituTiles(layer: 'vec' | 'cva', key: string): string[] {
  return Array.from(
    { length: 8 },
    (_, i) =>
      `https://t${i}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}` +
      `&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${key}`,
  );
}

/** Origins the browser fetches the base map from: added to the Content Security Policy. */
export function basemapOrigins(b: Basemap): string[] {
  switch (b.kind) {
    case 'tianditu':
      return Array.from({ length: 8 }, (_, i) => `https://t${i}.tianditu.gov.cn`);
    case 'xyz': {
      // {s} subdomains (a, b, c) each get their own origin.
      const subs = /\{s\}/.test(b.url) ? ['a', 'b', 'c'] : [''];
      return [
        ...new Set(subs.map((s) => new URL(b.url.replace('{s}', s).replace(/\{[a-z]\}/gi, '0')).origin)),
      ];
    }
    case 'style':
      // A style names its own tile, glyph and sprite hosts: list them in ONEGRID_CSP_MAP_SOURCES.
      return [new URL(b.url).origin];
    default:
      return [];
  }
}
