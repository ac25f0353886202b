/**
 * Geometry checks done in JavaScript before anything reaches the database: shape, numbers,
 * closed rings, China's bounding box, swapped axes, and the conversion to WGS-84. What needs
 * GEOS (self-intersection, repair, areas) happens in SQL, see `polygons.ts`.
 */
import gcoord from 'gcoord';
import type { Crs, RejectProblem } from './types.ts';

export type Position = [number, number];
export type Check<T> = { ok: true; value: T } | { ok: false; problem: RejectProblem; reason: string };

/** China's bounding box (lng 73–135, lat 18–54): a coordinate outside it is a mistake. */
export const chinaBbox = { minLng: 73, maxLng: 135, minLat: 18, maxLat: 54 } as const;

const inChina = (lng: number, lat: number) =>
  lng >= chinaBbox.minLng && lng <= chinaBbox.maxLng && lat >= chinaBbox.minLat && lat <= chinaBbox.maxLat;

const fmt = (n: number) => String(Math.round(n * 1e6) / 1e6);

const gcoordCrs = { gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const;

/** Checks one lng/lat pair (in the file's CRS) and returns it in WGS-84, rounded to ~1 cm. */
export function checkPosition(lng: unknown, lat: unknown, crs: Crs): Check<Position> {
  const x = typeof lng === 'string' && lng.trim() !== '' ? Number(lng) : lng;
  const y = typeof lat === 'string' && lat.trim() !== '' ? Number(lat) : lat;
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
    return {
      ok: false,
      problem: 'bad_geometry',
      reason: `coordinate (${String(lng)}, ${String(lat)}) is not a number pair`,
    };
  }
  if (!inChina(x, y)) {
    if (inChina(y, x)) {
      return {
        ok: false,
        problem: 'swapped_coordinates',
        reason: `coordinates look swapped: (${fmt(x)}, ${fmt(y)}) reads as lat, lng; GeoJSON and lng/lat columns put longitude first`,
      };
    }
    const projected = Math.abs(x) > 180 || Math.abs(y) > 90 ? ' (projected metres? degrees are needed)' : '';
    return {
      ok: false,
      problem: 'outside_china',
      reason: `coordinate (${fmt(x)}, ${fmt(y)}) is outside China (lng 73–135, lat 18–54)${projected}`,
    };
  }
  if (crs === 'wgs84') return { ok: true, value: [x, y] };
  const [wx, wy] = gcoord.transform([x, y], gcoordCrs[crs], gcoord.WGS84) as [number, number];
  return { ok: true, value: [Math.round(wx * 1e7) / 1e7, Math.round(wy * 1e7) / 1e7] };
}

export interface PointGeometry {
  type: 'Point';
  coordinates: Position;
}
export interface PolygonalGeometry {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: Position[][] | Position[][][];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export function checkPoint(geometry: unknown, crs: Crs): Check<Position> {
  if (!isObj(geometry))
    return { ok: false, problem: 'missing_field', reason: 'no geometry (a point is needed)' };
  if (geometry.type !== 'Point') {
    return {
      ok: false,
      problem: 'bad_geometry',
      reason: `geometry is a ${String(geometry.type)}; a Point is needed`,
    };
  }
  const c = geometry.coordinates;
  if (!Array.isArray(c) || c.length < 2)
    return { ok: false, problem: 'bad_geometry', reason: 'Point without coordinates' };
  return checkPosition(c[0], c[1], crs);
}

function checkRing(ring: unknown, crs: Crs, where: string): Check<Position[]> {
  if (!Array.isArray(ring)) return { ok: false, problem: 'bad_geometry', reason: `${where} is not an array` };
  if (ring.length < 4) {
    return {
      ok: false,
      problem: 'bad_geometry',
      reason: `${where} has ${ring.length} positions; a ring needs at least 4`,
    };
  }
  const out: Position[] = [];
  for (const p of ring) {
    if (!Array.isArray(p))
      return { ok: false, problem: 'bad_geometry', reason: `${where} has a position that is not an array` };
    const c = checkPosition(p[0], p[1], crs);
    if (!c.ok) return c;
    out.push(c.value);
  }
  const first = ring[0] as unknown[];
  const last = ring[ring.length - 1] as unknown[];
  if (first[0] !== last[0] || first[1] !== last[1]) {
    return {
      ok: false,
      problem: 'bad_geometry',
      reason: `${where} is not closed (first and last positions differ)`,
    };
  }
  return { ok: true, value: out };
}

function checkRings(rings: unknown, crs: Crs, where: string): Check<Position[][]> {
  if (!Array.isArray(rings) || rings.length === 0) {
    return { ok: false, problem: 'bad_geometry', reason: `${where} has no rings` };
  }
  const out: Position[][] = [];
  for (let i = 0; i < rings.length; i++) {
    const r = checkRing(rings[i], crs, `${where} ring ${i + 1}`);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

/** A Polygon or MultiPolygon, checked and converted; returns GeoJSON text for ST_GeomFromGeoJSON. */
export function checkPolygonal(geometry: unknown, crs: Crs): Check<string> {
  if (!isObj(geometry)) {
    return {
      ok: false,
      problem: 'missing_field',
      reason: 'no geometry (a Polygon or MultiPolygon is needed)',
    };
  }
  if (geometry.type === 'Polygon') {
    const r = checkRings(geometry.coordinates, crs, 'polygon');
    return r.ok ? { ok: true, value: JSON.stringify({ type: 'Polygon', coordinates: r.value }) } : r;
  }
  if (geometry.type === 'MultiPolygon') {
    const parts = geometry.coordinates;
    if (!Array.isArray(parts) || parts.length === 0) {
      return { ok: false, problem: 'bad_geometry', reason: 'MultiPolygon without polygons' };
    }
    const out: Position[][][] = [];
    for (let i = 0; i < parts.length; i++) {
      const r = checkRings(parts[i], crs, `polygon ${i + 1}`);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return { ok: true, value: JSON.stringify({ type: 'MultiPolygon', coordinates: out }) };
  }
  return {
    ok: false,
    problem: 'bad_geometry',
    reason: `geometry is a ${String(geometry.type)}; a Polygon or MultiPolygon is needed`,
  };
}

/** The CRS a file name claims (`….gcj02.geojson`), if any: a cross-check for --crs. */
export function crsHintFromName(fileName: string): Crs | undefined {
  const m = /(?:^|[^a-z0-9])(wgs-?84|gcj-?02|bd-?09)(?:[^a-z0-9]|$)/i.exec(fileName);
  if (!m?.[1]) return undefined;
  return m[1].toLowerCase().replace('-', '') as Crs;
}

function checkLine(line: unknown, crs: Crs, where: string): Check<Position[]> {
  if (!Array.isArray(line) || line.length < 2) {
    return { ok: false, problem: 'bad_geometry', reason: `${where} needs at least 2 positions` };
  }
  const out: Position[] = [];
  for (const p of line) {
    if (!Array.isArray(p))
      return { ok: false, problem: 'bad_geometry', reason: `${where} has a position that is not an array` };
    const c = checkPosition(p[0], p[1], crs);
    if (!c.ok) return c;
    out.push(c.value);
  }
  return { ok: true, value: out };
}

/** A LineString or MultiLineString, checked and converted; GeoJSON text of a MultiLineString. */
export function checkLinear(geometry: unknown, crs: Crs): Check<string> {
  if (!isObj(geometry)) {
    return { ok: false, problem: 'missing_field', reason: 'no geometry (a LineString is needed)' };
  }
  const parts =
    geometry.type === 'LineString'
      ? [geometry.coordinates]
      : geometry.type === 'MultiLineString' && Array.isArray(geometry.coordinates)
        ? (geometry.coordinates as unknown[])
        : undefined;
  if (!parts) {
    return {
      ok: false,
      problem: 'bad_geometry',
      reason: `geometry is a ${String(geometry.type)}; a LineString or MultiLineString is needed`,
    };
  }
  if (parts.length === 0)
    return { ok: false, problem: 'bad_geometry', reason: 'MultiLineString without lines' };
  const out: Position[][] = [];
  for (let i = 0; i < parts.length; i++) {
    const r = checkLine(parts[i], crs, parts.length > 1 ? `line ${i + 1}` : 'line');
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: JSON.stringify({ type: 'MultiLineString', coordinates: out }) };
}
