/**
 * Geocoding measured on the real Shanghai address points (../shared/data, see SOURCES.md): all but
 * 200 imported; 200 imported addresses typed the ways people type them (no district, full-width
 * digits, Chinese numerals, no 号, spaces and the city in front) must come back as themselves;
 * the 200 held out are geocoded from their text and compared with their true street and point,
 * beside a plain trigram match. Prints the rates and the batch throughput; asserts floors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chineseNumeral, parseAddress, roadPosition } from '@onegrid/domain';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geocodeService } from '../src/geo/geocode.service.ts';
import { importRows } from '../src/import/import.service.ts';
import {
  hasSharedData,
  openTestDb,
  sharedDataDir,
  sharedDataSkipMessage,
  type TestDb,
  testEngine,
} from './db-harness.ts';

const file = path.join(sharedDataDir, 'shanghai-address-points.csv');
const present = hasSharedData && fs.existsSync(file);
if (!present) console.log(`skipping the real-data geocoding tests: ${sharedDataSkipMessage}`);

interface Point {
  district: string;
  address: string;
  lng: number;
  lat: number;
  street: string;
  streetCode: string;
}

const fullWidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

/** The ways people type an address, in turn. */
const perturb = [
  (p: Point) => p.address, // no district
  (p: Point) => `${p.district}${fullWidth(p.address)}`,
  (p: Point) =>
    `${p.district}${p.address.replace(/(\d+)(号|弄)/, (_m, n: string, k: string) => chineseNumeral(Number(n)) + k)}`,
  (p: Point) => `${p.district}${p.address.replace(/号$/, '')}`,
  (p: Point) => `上海市 ${p.district} ${p.street} ${p.address}`,
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
}

function metres(a: { lng: number; lat: number }, b: { lng: number; lat: number }): number {
  const k = Math.PI / 180;
  const x = (b.lng - a.lng) * k * Math.cos(((a.lat + b.lat) / 2) * k);
  return Math.hypot(x, (b.lat - a.lat) * k) * 6371008.8;
}

describe.skipIf(!present)(`geocoding the Shanghai address points on ${testEngine}`, () => {
  let t: TestDb;
  let points: Point[] = [];
  const heldOut: Point[] = [];
  const imported: Point[] = [];

  beforeAll(async () => {
    const records = parse(fs.readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<
      string,
      string
    >[];
    points = records.map((r) => ({
      district: r.district!,
      address: r.address!,
      lng: Number(r.wgs84_lng),
      lat: Number(r.wgs84_lat),
      street: r.street_name!,
      streetCode: r.street_code!,
    }));
    // Hold out every 100th address that has a road and a number: 200 of them.
    points.forEach((p, i) => {
      if (i % 100 === 7 && heldOut.length < 200 && roadPosition(parseAddress(p.address)) !== undefined) {
        heldOut.push(p);
      } else imported.push(p);
    });
    t = await openTestDb();
  }, 60_000);
  afterAll(async () => t?.close());

  it('imports the addresses, split into parts', async () => {
    const r = await importRows(
      t.db,
      'addresses',
      imported.map((p, i) => ({
        row: i + 2,
        properties: {
          district: p.district,
          address: p.address,
          street_name: p.street,
          street_code: p.streetCode,
        },
        geometry: { type: 'Point', coordinates: [p.lng, p.lat] },
      })),
    );
    console.log(
      `imported ${r.imported} of ${r.rowsRead} (${r.rejected} rejected: ${JSON.stringify(r.rejectsByProblem)})`,
    );
    expect(r.imported).toBeGreaterThan(25_000);
    const parts = await t.db.query<{ road: number; pos: number }>(
      'SELECT count(road)::int AS road, count(road_no)::int AS pos FROM addresses',
    );
    // Most published addresses are a road and a number; the rest compounds and villages.
    expect(parts.rows[0]!.road / r.imported).toBeGreaterThan(0.8);
  }, 300_000);

  it('finds 200 imported addresses typed in five different ways (top-1)', async () => {
    const geocode = geocodeService({ db: t.db });
    const sample = imported.filter((_p, i) => i % 125 === 3).slice(0, 200);
    const want = await t.db.query<{ address: string; district_name: string; std_text: string }>(
      'SELECT address, district_name, std_text FROM addresses WHERE address = ANY($1)',
      [sample.map((p) => p.address)],
    );
    const expected = new Map(want.rows.map((r) => [`${r.district_name}|${r.address}`, r.std_text]));
    const texts = sample.map((p, i) => perturb[i % perturb.length]!(p));
    const found = await geocode.batch(texts);
    let hits = 0;
    const misses: string[] = [];
    sample.forEach((p, i) => {
      const ok = found[i]?.text === expected.get(`${p.district}|${p.address}`);
      if (ok) hits++;
      else if (misses.length < 8) misses.push(`${texts[i]} → ${found[i]?.text ?? 'nothing'}`);
    });
    const rate = hits / sample.length;
    console.log(`perturbed top-1 hit rate on ${testEngine}: ${(rate * 100).toFixed(1)}% of ${sample.length}`);
    if (misses.length) console.log(`misses, first ${misses.length}:\n  ${misses.join('\n  ')}`);
    expect(sample.length).toBe(200);
    expect(rate).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  it('places 200 held-out addresses in the right street and near their point, beside plain trigrams', async () => {
    const geocode = geocodeService({ db: t.db });
    const found = await geocode.batch(heldOut.map((p) => `${p.district}${p.address}`));
    // The plain match: the whole typed text against the standard texts (district included) by
    // trigram similarity alone, with a trigram index of its own.
    await t.db.exec('CREATE INDEX plain_trgm ON addresses USING gin (std_text gin_trgm_ops)');
    const plain = await t.db.transaction(async (tx) => {
      // Low enough that nearly every text finds something (the default 0.3 leaves many with nothing).
      await tx.query('SET LOCAL pg_trgm.similarity_threshold = 0.1');
      return tx.query<{ i: number; street: string | null; lng: number; lat: number }>(
        `SELECT (q.i - 1)::int AS i, a.street_name AS street, ST_X(a.geom) AS lng, ST_Y(a.geom) AS lat
         FROM unnest($1::text[]) WITH ORDINALITY AS q(t, i)
         CROSS JOIN LATERAL (
           SELECT * FROM addresses a WHERE a.std_text % q.t ORDER BY similarity(a.std_text, q.t) DESC LIMIT 1
         ) a`,
        [heldOut.map((p) => `${p.district}${p.address}`)],
      );
    });
    await t.db.exec('DROP INDEX plain_trgm');
    const ours = { street: 0, d: [] as number[], interpolated: 0 };
    const base = { street: 0, d: [] as number[] };
    heldOut.forEach((p, i) => {
      const c = found[i];
      if (c) {
        if (c.street === p.street) ours.street++;
        if (c.interpolated) ours.interpolated++;
        ours.d.push(metres(c, p));
      }
      const b = plain.rows.find((r) => r.i === i);
      if (b) {
        if (b.street === p.street) base.street++;
        base.d.push(metres(b, p));
      }
    });
    const n = heldOut.length;
    console.log(
      `held out ${n} on ${testEngine}: right street ${((ours.street / n) * 100).toFixed(1)}% ` +
        `(plain trigram ${((base.street / n) * 100).toFixed(1)}%), median distance ${median(ours.d).toFixed(0)} m ` +
        `(plain trigram ${median(base.d).toFixed(0)} m), ${ours.interpolated} interpolated`,
    );
    expect(n).toBe(200);
    expect(ours.street / n).toBeGreaterThanOrEqual(base.street / n);
    expect(median(ours.d)).toBeLessThanOrEqual(median(base.d));
  }, 120_000);

  it('geocodes a batch of 2,000 (throughput printed beside an exact-text lookup)', async () => {
    const geocode = geocodeService({ db: t.db });
    const texts = imported
      .filter((_p, i) => i % 12 === 5)
      .slice(0, 2000)
      .map((p) => `${p.district}${p.address}`);
    let start = performance.now();
    const found = await geocode.batch(texts);
    const ours = texts.length / ((performance.now() - start) / 1000);
    start = performance.now();
    const exact = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM unnest($1::text[]) AS q(t) JOIN addresses a ON coalesce(a.district_name, '') || a.address = q.t`,
      [texts],
    );
    const baseline = texts.length / ((performance.now() - start) / 1000);
    console.log(
      `batch geocode on ${testEngine}: ${ours.toFixed(0)} addresses/s; exact-text SQL lookup ${baseline.toFixed(0)} addresses/s (${exact.rows[0]!.n} found)`,
    );
    expect(found).toHaveLength(2000);
    expect(found.filter((c) => c !== null).length).toBeGreaterThan(1900);
  }, 300_000);
});
