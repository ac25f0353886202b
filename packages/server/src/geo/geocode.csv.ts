/**
 * Spreadsheets through the geocoder: a CSV in, the same CSV out with the best standard address
 * of each row's address text appended (text, code, point, score, street, district). Streamed in
 * chunks, so a file of a million rows needs no more memory than one chunk.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { type Crs, fromWgs84 } from '@onegrid/domain';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import type { GeocodeService } from './geocode.service.ts';

export const addedColumns = [
  'geocoded_address',
  'geocoded_code',
  'geocoded_lng',
  'geocoded_lat',
  'geocoded_score',
  'geocoded_street',
  'geocoded_district',
  'geocoded_interpolated',
] as const;

/** Headers taken for the address text, in this order, when --column does not name one. */
const addressHeaders = [
  'address',
  'full_address',
  'addr',
  '地址',
  '标准地址',
  '详细地址',
  '事发地址',
  'location',
];

export interface GeocodeCsvOptions {
  /** The address column; default: the first of `addressHeaders` present. */
  column?: string;
  /** The coordinate system of the written lng/lat (default wgs84). */
  crs?: Crs;
  delimiter?: string;
  chunk?: number;
}

export interface GeocodeCsvReport {
  rows: number;
  found: number;
  interpolated: number;
  column: string;
}

export class GeocodeCsvError extends Error {}

export async function geocodeCsv(
  geocode: GeocodeService,
  input: string,
  output: string,
  options: GeocodeCsvOptions = {},
): Promise<GeocodeCsvReport> {
  const crs = options.crs ?? 'wgs84';
  const chunkSize = options.chunk ?? 2000;
  const report: GeocodeCsvReport = { rows: 0, found: 0, interpolated: 0, column: '' };
  let index = -1;
  let pending: string[][] = [];

  const reader = fs.createReadStream(input).pipe(
    parse({
      bom: true,
      delimiter: options.delimiter ?? ',',
      relax_column_count: true,
      skip_empty_lines: true,
    }),
  );
  const writer = stringify({ delimiter: options.delimiter ?? ',' });
  const done = pipeline(writer, fs.createWriteStream(output));

  async function flush() {
    if (pending.length === 0) return;
    const best = await geocode.batch(pending.map((r) => (r[index] ?? '').trim().slice(0, 200)));
    pending.forEach((r, i) => {
      const c = best[i];
      report.rows++;
      if (!c) {
        writer.write([...r, '', '', '', '', '', '', '', '']);
        return;
      }
      report.found++;
      if (c.interpolated) report.interpolated++;
      const p = fromWgs84(c.lng, c.lat, crs);
      writer.write([
        ...r,
        c.text,
        c.code ?? '',
        p.lng.toFixed(7),
        p.lat.toFixed(7),
        c.score,
        c.street ?? '',
        c.district ?? '',
        c.interpolated ? 'true' : 'false',
      ]);
    });
    pending = [];
  }

  try {
    for await (const record of reader as AsyncIterable<string[]>) {
      if (index < 0) {
        const norm = record.map((h) => h.trim().toLowerCase());
        const wanted = options.column ? [options.column.toLowerCase()] : addressHeaders;
        index = wanted.map((w) => norm.indexOf(w)).find((i) => i >= 0) ?? -1;
        if (index < 0) {
          throw new GeocodeCsvError(
            options.column
              ? `no column "${options.column}" in ${input}; its columns: ${record.join(', ')}`
              : `no address column in ${input} (looked for ${addressHeaders.join(', ')}); name it with --column`,
          );
        }
        report.column = record[index]!;
        writer.write([...record, ...addedColumns]);
        continue;
      }
      pending.push(record);
      if (pending.length >= chunkSize) await flush();
    }
    await flush();
  } catch (e) {
    writer.end();
    await done.catch(() => {});
    // No half-written file to mistake for a result.
    fs.rmSync(output, { force: true });
    throw e;
  }
  writer.end();
  await done;
  return report;
}
