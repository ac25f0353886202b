/**
 * Reads the public Shanghai data folder (config.sharedDataDir, see its SOURCES.md) when it is
 * there. The files are small enough for JSON.parse, which keeps the seed independent of the
 * import pipeline. Nothing here is copied into the repository; without the folder the demo
 * generates geometry and community names instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

export const sharedFiles = {
  districts: 'shanghai-districts-hires.wgs84.geojson',
  huangpuStreets: 'huangpu-streets.wgs84.geojson',
  cityStreets: 'shanghai-street-polygons.wgs84.geojson',
  communities: 'shanghai-communities.csv',
} as const;

export interface SharedPolygon {
  /** 6-digit district or 9-digit street code; null for the unnamed street polygons. */
  code: string | null;
  districtCode: string;
  /** The GeoJSON geometry, as text, for ST_GeomFromGeoJSON. */
  geometry: string;
  /** Approximate area, used to decide which of two overlapping polygons keeps the overlap. */
  areaKm2: number;
}

export interface SharedCommunity {
  code: string;
  name: string;
  streetCode: string;
  /** NBS 城乡分类代码: 111 主城区 … 220 村庄. */
  urbanRuralType: string;
}

export interface SharedData {
  dir: string;
  districts?: Map<string, SharedPolygon>;
  /** Street polygons by district; only districts the chosen file covers. */
  streets?: Map<string, SharedPolygon[]>;
  communities?: Map<string, SharedCommunity[]>;
}

interface Feature {
  properties: Record<string, unknown>;
  geometry: unknown;
}

function features(file: string): Feature[] {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { features?: Feature[] };
  if (!Array.isArray(json.features)) throw new Error(`${file} is not a GeoJSON FeatureCollection`);
  return json.features;
}

const text = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

/**
 * What the folder offers. `scale` picks the street layer: Huangpu's clean 10 streets for the
 * district demo, the city-wide layer (overlaps, unnamed polygons) for the city demo.
 */
export function readSharedData(dir: string | undefined, scale: 'district' | 'city'): SharedData | undefined {
  if (!dir || !fs.existsSync(dir)) return undefined;
  const file = (name: string) => {
    const p = path.join(dir, name);
    return fs.existsSync(p) ? p : undefined;
  };
  const out: SharedData = { dir };

  const districtsFile = file(sharedFiles.districts);
  if (districtsFile) {
    out.districts = new Map(
      features(districtsFile).map((f) => {
        const code = String(f.properties.adcode);
        return [code, { code, districtCode: code, geometry: JSON.stringify(f.geometry), areaKm2: 0 }];
      }),
    );
  }

  const streetsFile = file(scale === 'district' ? sharedFiles.huangpuStreets : sharedFiles.cityStreets);
  if (streetsFile) {
    const streets = new Map<string, SharedPolygon[]>();
    for (const f of features(streetsFile)) {
      const districtCode = text(f.properties.district_code);
      if (!districtCode) continue;
      const list = streets.get(districtCode) ?? [];
      list.push({
        code: text(f.properties.code),
        districtCode,
        geometry: JSON.stringify(f.geometry),
        areaKm2: Number(f.properties.area_km2) || 0,
      });
      streets.set(districtCode, list);
    }
    out.streets = streets;
  }

  const communitiesFile = file(sharedFiles.communities);
  if (communitiesFile) {
    const rows = parse(fs.readFileSync(communitiesFile, 'utf8'), {
      columns: true,
      skip_empty_lines: true,
      trim: true,
    }) as Array<Record<string, string>>;
    const communities = new Map<string, SharedCommunity[]>();
    for (const r of rows) {
      if (!r.code || !r.street_code || !/^\d{12}$/.test(r.code)) continue;
      const list = communities.get(r.street_code) ?? [];
      list.push({
        code: r.code,
        name: r.name ?? r.code,
        streetCode: r.street_code,
        urbanRuralType: r.urban_rural_type ?? '',
      });
      communities.set(r.street_code, list);
    }
    out.communities = communities;
  }
  return out;
}
