/**
 * Streams CSV rows (csv-parse). The header names the fields; geometry comes from a WKT or
 * GeoJSON column (polygons) or from lng/lat columns (points). Files that give both CRSs, such
 * as `gcj02_lng,gcj02_lat,wgs84_lng,wgs84_lat`, are read in the CRS that --crs names.
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { type Crs, crsNames, ImportFileError, type RawRow } from '../types.ts';
import { parseWkt } from './wkt.ts';

const norm = (k: string) => k.toLowerCase().replace(/[\s_-]/g, '');
const geometryNames = ['geometry', 'geom', 'wkt', 'thegeom', 'shape', 'geojson'];
const lngNames = ['lng', 'lon', 'long', 'longitude', 'x', '经度'];
const latNames = ['lat', 'latitude', 'y', '纬度'];

interface Columns {
  geometry?: number;
  lng?: number;
  lat?: number;
}

function findColumns(header: string[], crs: Crs): Columns {
  const idx = (names: string[]) => {
    for (const n of names) {
      const i = header.findIndex((h) => norm(h) === n);
      if (i >= 0) return i;
    }
    return undefined;
  };
  const geometry = idx(geometryNames);
  const prefixed = (c: string, names: string[]) => names.map((n) => `${c}${n}`);
  let lng = idx(prefixed(crs, lngNames));
  let lat = idx(prefixed(crs, latNames));
  if (lng === undefined || lat === undefined) {
    lng = idx(lngNames);
    lat = idx(latNames);
  }
  if (lng === undefined || lat === undefined) {
    const other = crsNames.find(
      (c) => idx(prefixed(c, lngNames)) !== undefined && idx(prefixed(c, latNames)) !== undefined,
    );
    if (other) {
      throw new ImportFileError(
        `the file's coordinate columns are ${other}_lng/${other}_lat but --crs is ${crs}: pass --crs ${other}`,
      );
    }
    return { ...(geometry === undefined ? {} : { geometry }) };
  }
  return { ...(geometry === undefined ? {} : { geometry }), lng, lat };
}

function geometryOf(record: string[], cols: Columns): { geometry?: unknown; problem?: string } {
  if (cols.geometry !== undefined) {
    const text = record[cols.geometry]?.trim();
    if (text) {
      try {
        return { geometry: text.startsWith('{') ? JSON.parse(text) : parseWkt(text) };
      } catch (e) {
        return { problem: `geometry column: ${(e as Error).message}` };
      }
    }
  }
  if (cols.lng !== undefined && cols.lat !== undefined) {
    const lng = record[cols.lng]?.trim();
    const lat = record[cols.lat]?.trim();
    if (lng || lat) return { geometry: { type: 'Point', coordinates: [lng ?? '', lat ?? ''] } };
  }
  return {};
}

export async function* readCsv(
  input: Readable,
  opts: { crs: Crs; delimiter: string },
): AsyncGenerator<RawRow> {
  const csv = parse({
    bom: true,
    delimiter: opts.delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
  });
  input.on('error', (e) => csv.destroy(e));
  input.pipe(csv);
  let header: string[] | undefined;
  let cols: Columns = {};
  // Rows are numbered as lines (the header is line 1), exact unless a quoted field spans lines:
  // csv-parse's per-record line info costs a sixth of the parsing time.
  let row = 1;
  try {
    for await (const record of csv as AsyncIterable<string[]>) {
      if (!header) {
        header = record.map((h) => h.trim());
        if (header.every((h) => h === '')) throw new ImportFileError('the CSV header line is empty');
        cols = findColumns(header, opts.crs);
        continue;
      }
      row++;
      const properties: Record<string, unknown> = {};
      for (let i = 0; i < header.length; i++) {
        const h = header[i]!;
        if (h !== '' && !(h in properties)) properties[h] = record[i] ?? '';
      }
      if (record.length !== header.length) {
        yield {
          row,
          properties,
          problem: `line has ${record.length} fields; the header has ${header.length}`,
        };
        continue;
      }
      const g = geometryOf(record, cols);
      yield { row, properties, ...g };
    }
  } catch (e) {
    if (e instanceof ImportFileError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code?.startsWith('CSV_')) throw new ImportFileError(`malformed CSV: ${err.message}`);
    throw new ImportFileError(`cannot read the file: ${err.message}`);
  } finally {
    input.destroy();
    csv.destroy();
  }
  if (!header) throw new ImportFileError('the CSV file has no header line');
}
