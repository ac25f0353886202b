/**
 * The demo's base map and address book, from the public Shanghai data (../shared/data, read at
 * seed time, never copied): the standard addresses of the detailed districts (address points),
 * roads traced through those points (a stand-in for a surveyed road layer: each road is the
 * line through the medians of its numbers, in number order), and the 黄浦江 and 苏州河 along the
 * district boundaries that follow them. A city imports real roads and water with
 * `onegrid import roads|water` (docs/basemap.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAddress, roadPosition, shanghaiDistricts } from '@onegrid/domain';
import { parse } from 'csv-parse/sync';
import type { Db } from '../db/db.ts';
import { importRows } from '../import/import.service.ts';
import type { RawRow } from '../import/types.ts';

export const addressPointsFile = 'shanghai-address-points.csv';

/** The district pairs whose shared boundary runs along a river, with its name and width. */
const riverBoundaries: { a: string; b: string; name: string; width: number }[] = [
  { a: '310101', b: '310115', name: '黄浦江', width: 400 },
  { a: '310104', b: '310115', name: '黄浦江', width: 400 },
  { a: '310109', b: '310115', name: '黄浦江', width: 400 },
  { a: '310110', b: '310115', name: '黄浦江', width: 450 },
  { a: '310101', b: '310109', name: '苏州河', width: 70 },
];

/** Main roads of the central districts: drawn from the city view (zoom 10). */
const mainRoads = new Set([
  '人民大道',
  '南京东路',
  '南京西路',
  '延安东路',
  '延安中路',
  '西藏中路',
  '西藏南路',
  '河南中路',
  '河南南路',
  '中山东一路',
  '中山东二路',
  '中山南路',
  '中山南一路',
  '中山南二路',
  '淮海中路',
  '淮海东路',
  '复兴中路',
  '复兴东路',
  '金陵东路',
  '金陵中路',
  '陆家浜路',
  '北京东路',
  '瑞金二路',
  '瑞金一路',
  '重庆南路',
  '重庆中路',
  '中华路',
  '人民路',
  '鲁班路',
  '打浦路',
  '徐家汇路',
  '肇嘉浜路',
  '四川中路',
  '浙江中路',
  '黄陂南路',
]);

export interface NumberedPoint {
  n: number;
  lng: number;
  lat: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const metres = (a: [number, number], b: [number, number]) => {
  const k = Math.cos(((a[1] + b[1]) / 2) * (Math.PI / 180));
  return Math.hypot((a[0] - b[0]) * k, a[1] - b[1]) * 111_320;
};

/**
 * A road's line from its numbered address points: far-off points dropped (geocoding slips),
 * the rest in number order cut into runs, one vertex at each run's median, spikes removed.
 * Undefined when too few points are left or the line is shorter than 150 m.
 */
export function traceRoad(points: readonly NumberedPoint[]): [number, number][] | undefined {
  if (points.length < 5) return undefined;
  const centre: [number, number] = [median(points.map((p) => p.lng)), median(points.map((p) => p.lat))];
  const spread = median(points.map((p) => metres([p.lng, p.lat], centre)));
  const kept = points
    .filter((p) => metres([p.lng, p.lat], centre) <= Math.max(400, spread * 3))
    .sort((a, b) => a.n - b.n);
  if (kept.length < 5) return undefined;
  const runs = Math.max(2, Math.min(10, Math.round(kept.length / 5)));
  let line: [number, number][] = [];
  for (let i = 0; i < runs; i++) {
    const run = kept.slice(Math.floor((i * kept.length) / runs), Math.floor(((i + 1) * kept.length) / runs));
    if (run.length > 0) line.push([median(run.map((p) => p.lng)), median(run.map((p) => p.lat))]);
  }
  // A vertex the line doubles back at (an angle under 70°) is noise between two sides of the road.
  for (let changed = true; changed && line.length > 2; ) {
    changed = false;
    for (let i = 1; i + 1 < line.length; i++) {
      const [a, b, c] = [line[i - 1]!, line[i]!, line[i + 1]!];
      const v1 = [a[0] - b[0], a[1] - b[1]];
      const v2 = [c[0] - b[0], c[1] - b[1]];
      const cos =
        (v1[0]! * v2[0]! + v1[1]! * v2[1]!) / (Math.hypot(v1[0]!, v1[1]!) * Math.hypot(v2[0]!, v2[1]!) || 1);
      if (cos > Math.cos((70 * Math.PI) / 180)) {
        line = [...line.slice(0, i), ...line.slice(i + 1)];
        changed = true;
        break;
      }
    }
  }
  let length = 0;
  for (let i = 1; i < line.length; i++) length += metres(line[i - 1]!, line[i]!);
  return length >= 150 ? line : undefined;
}

export interface DemoBasemapResult {
  addresses: number;
  roads: number;
  water: number;
}

/**
 * Seeds addresses, roads and rivers for the given districts from the shared folder; nothing
 * without it (the synthetic city has no real places). Re-running updates in place.
 */
export async function seedDemoBasemap(
  db: Db,
  {
    sharedDir,
    districtCodes,
    realGeometry,
  }: { sharedDir?: string | undefined; districtCodes: readonly string[]; realGeometry: boolean },
): Promise<DemoBasemapResult> {
  const out: DemoBasemapResult = { addresses: 0, roads: 0, water: 0 };
  const file = sharedDir ? path.join(sharedDir, addressPointsFile) : undefined;
  if (file && fs.existsSync(file)) {
    const names = new Set(shanghaiDistricts.filter((d) => districtCodes.includes(d.code)).map((d) => d.name));
    const rows = (
      parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Record<
        string,
        string
      >[]
    ).filter((r) => names.has(r.district ?? ''));
    const raw: RawRow[] = rows.map((r, i) => ({
      row: i + 2,
      properties: {
        district: r.district,
        address: r.address,
        street_name: r.street_name,
        street_code: r.street_code,
      },
      geometry: { type: 'Point', coordinates: [Number(r.wgs84_lng), Number(r.wgs84_lat)] },
    }));
    const report = await importRows(db, 'addresses', raw, { source: `demo: ${addressPointsFile}` });
    out.addresses = report.imported;

    const byRoad = new Map<string, NumberedPoint[]>();
    for (const r of rows) {
      const p = parseAddress(r.address ?? '');
      const n = roadPosition(p);
      if (!p.road || n === undefined) continue;
      const list = byRoad.get(p.road) ?? [];
      list.push({ n, lng: Number(r.wgs84_lng), lat: Number(r.wgs84_lat) });
      byRoad.set(p.road, list);
    }
    const roads: RawRow[] = [];
    for (const [name, points] of byRoad) {
      const line = traceRoad(points);
      if (!line) continue;
      const cls = mainRoads.has(name) ? 'primary' : /路$|大道$/.test(name) ? 'secondary' : 'residential';
      roads.push({
        row: roads.length + 1,
        properties: { code: `demo-road-${name}`, name, class: cls },
        geometry: { type: 'LineString', coordinates: line },
      });
    }
    out.roads = (
      await importRows(db, 'roads', roads, { source: 'demo: roads traced through address points' })
    ).imported;
  }

  // Only real boundaries follow rivers: the synthetic city's squares do not.
  if (!realGeometry) return out;
  const rivers = await db.query<{ name: string; width: number; gj: string }>(
    `SELECT p.name, p.width, ST_AsGeoJSON(ST_LineMerge(ST_CollectionExtract(
         ST_Intersection(ST_Boundary(a.geom), ST_Buffer(b.geom, 0.0003)), 2)), 6) AS gj
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS p(a, b, name, width)
       JOIN areas a ON a.code = p.a AND a.geom IS NOT NULL
       JOIN areas b ON b.code = p.b AND b.geom IS NOT NULL`,
    [
      riverBoundaries.map((r) => r.a),
      riverBoundaries.map((r) => r.b),
      riverBoundaries.map((r) => r.name),
      riverBoundaries.map((r) => r.width),
    ],
  );
  {
    const water: RawRow[] = rivers.rows
      .map((r) => ({ r, g: JSON.parse(r.gj) as { type: string; coordinates: unknown[] } }))
      .filter(
        ({ g }) => (g.type === 'LineString' || g.type === 'MultiLineString') && g.coordinates.length > 0,
      )
      .map(({ r, g }, i) => ({
        row: i + 1,
        properties: { code: `demo-water-${i + 1}`, name: r.name, class: 'river', width: r.width },
        geometry: g,
      }));
    out.water = (
      await importRows(db, 'water', water, { source: 'demo: rivers along district boundaries' })
    ).imported;
  }
  return out;
}
