/**
 * `onegrid bench import`: component import throughput against a raw COPY of the same rows into
 * a plain table with the same columns (no keys, no indexes, no checks) in the same database.
 * The rows are written to a CSV (or GeoJSON) file over a small synthetic grid set first, and the
 * import reads that file, so parsing, checks, grid lookup and upsert are all in the figure.
 * Embedded PGlite in a temporary data dir by default; with DATABASE_URL, a scratch database
 * created beside it (and dropped after).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyLine, type Db, importFile, migrate, openDatabase } from '@onegrid/server';
import type { Benchmark, BenchRow } from './bench.ts';

const categories = ['01001', '01002', '01003', '01004', '01005', '02001', '02002', '03001', '04001', '05002'];
const statuses = ['完好', '完好', '完好', '破损', '丢失', '废弃'];
const base = { lng: 121.47, lat: 31.22 };
const cell = 0.001; // ≈ 100 m: 25 unit grids per community, 100 in all

interface GenRow {
  id: string;
  grid: string;
  community: string;
  street: string;
  lng: number;
  lat: number;
  status: string;
  withGrid: boolean;
}

/** Four communities in two streets, each a 5 × 5 block of unit grids. */
async function seedGrids(db: Db) {
  await db.exec(`INSERT INTO areas (code, level, name) VALUES ('3101', 'city', '上海市') ON CONFLICT DO NOTHING;
    INSERT INTO areas (code, level, name, parent_code) VALUES ('310101', 'district', '黄浦区', '3101'),
      ('310101002', 'street', '南京东路街道', '310101'), ('310101013', 'street', '外滩街道', '310101')
    ON CONFLICT DO NOTHING`);
  for (let c = 0; c < 4; c++) {
    const street = c < 2 ? '310101002' : '310101013';
    const community = `${street}00${(c % 2) + 1}`;
    await db.query(
      `INSERT INTO areas (code, level, name, parent_code) VALUES ($1, 'community', $2, $3) ON CONFLICT DO NOTHING`,
      [community, `社区${c + 1}`, street],
    );
    for (let i = 0; i < 25; i++) {
      const x0 = base.lng + (c % 2) * 5 * cell + (i % 5) * cell;
      const y0 = base.lat + Math.floor(c / 2) * 5 * cell + Math.floor(i / 5) * cell;
      await db.query(
        `INSERT INTO unit_grids (code, community_code, street_code, district_code, geom, area_m2)
         VALUES ($1, $2, $3, '310101', ST_Multi(ST_MakeEnvelope($4, $5, $6, $7, 4326)), 10000)
         ON CONFLICT DO NOTHING`,
        [`${community}${String(i + 1).padStart(3, '0')}`, community, street, x0, y0, x0 + cell, y0 + cell],
      );
    }
  }
  for (const code of categories) {
    await db.query(
      `INSERT INTO categories (code, kind, standard, major_code, major_name, name)
       VALUES ($1, 'component', 'GB/T 47678.5-2026', $2, 'bench', $3) ON CONFLICT DO NOTHING`,
      [code, code.slice(0, 2), `部件${code}`],
    );
  }
}

/** `located`: the share of rows that carry no unit grid code and are located by their point. */
function* generate(n: number, located: number): Generator<GenRow> {
  for (let i = 0; i < n; i++) {
    const c = i % 4;
    const g = Math.floor(i / 4) % 25;
    const street = c < 2 ? '310101002' : '310101013';
    const community = `${street}00${(c % 2) + 1}`;
    const frac = ((i * 7919) % 1000) / 1000;
    yield {
      id: `310101${categories[i % categories.length]}${String(Math.floor(i / categories.length) + 1).padStart(6, '0')}`,
      grid: `${community}${String(g + 1).padStart(3, '0')}`,
      community,
      street,
      lng: base.lng + (c % 2) * 5 * cell + (g % 5) * cell + cell * (0.05 + 0.9 * frac),
      lat:
        base.lat + Math.floor(c / 2) * 5 * cell + Math.floor(g / 5) * cell + cell * (0.05 + 0.9 * (1 - frac)),
      status: statuses[i % statuses.length]!,
      withGrid: (i * 0.618034) % 1 >= located,
    };
  }
}

const owner = '11310101002411234X';

function attributes(r: GenRow): Record<string, string> {
  return {
    id: r.id,
    name: `部件 ${r.id.slice(-6)}`,
    owner_dept_code: owner,
    owner_dept_name: '黄浦区市政管理所',
    property_unit_code: '',
    property_unit_name: '黄浦区建设管理委员会',
    maintainer_code: '',
    maintainer_name: '上海城投养护有限公司',
    unit_grid_code: r.withGrid ? r.grid : '',
    status: r.status,
    survey_date: '2024-03-05',
    change_date: '',
    data_source: '普查',
    note: '',
    street_code: r.withGrid ? r.street : '',
    street_name: '',
    community_code: r.withGrid ? r.community : '',
    community_name: '',
  };
}

function writeFile(file: string, n: number, located: number, format: 'csv' | 'geojson') {
  const fd = fs.openSync(file, 'w');
  const chunks: string[] = [];
  const flush = () => {
    fs.writeSync(fd, chunks.join(''));
    chunks.length = 0;
  };
  let first = true;
  if (format === 'geojson') chunks.push('{"type":"FeatureCollection","features":[\n');
  for (const r of generate(n, located)) {
    const a = attributes(r);
    if (format === 'csv') {
      if (first) chunks.push(`${[...Object.keys(a), 'lng', 'lat'].join(',')}\n`);
      chunks.push(`${[...Object.values(a), r.lng.toFixed(7), r.lat.toFixed(7)].join(',')}\n`);
    } else {
      const props = Object.fromEntries(Object.entries(a).filter(([, v]) => v !== ''));
      const geometry = { type: 'Point', coordinates: [Number(r.lng.toFixed(7)), Number(r.lat.toFixed(7))] };
      chunks.push(`${first ? '' : ',\n'}${JSON.stringify({ type: 'Feature', properties: props, geometry })}`);
    }
    first = false;
    if (chunks.length >= 10_000) flush();
  }
  if (format === 'geojson') chunks.push('\n]}\n');
  flush();
  fs.closeSync(fd);
}

const rawColumns = [
  'id',
  'category_code',
  'name',
  'owner_dept_code',
  'owner_dept_name',
  'property_unit_name',
  'maintainer_name',
  'unit_grid_code',
  'status',
  'survey_date',
  'data_source',
  'street_code',
  'community_code',
  'district_code',
  'geom',
];

/** COPY text in pieces of 1,000 lines (PGlite reads each piece of its COPY blob separately). */
function* rawLines(n: number, located: number): Generator<string> {
  let piece: string[] = [];
  for (const r of generate(n, located)) {
    const a = attributes(r);
    piece.push(
      copyLine([
        r.id,
        r.id.slice(6, 11),
        a.name,
        owner,
        a.owner_dept_name,
        a.property_unit_name,
        a.maintainer_name,
        r.grid,
        'intact',
        a.survey_date,
        'surveyed',
        r.street,
        r.community,
        '310101',
        `SRID=4326;POINT(${r.lng.toFixed(7)} ${r.lat.toFixed(7)})`,
      ]),
    );
    if (piece.length === 1000) {
      yield piece.join('');
      piece = [];
    }
  }
  if (piece.length > 0) yield piece.join('');
}

async function openBenchDb(tmp: string): Promise<{ db: Db; engine: string; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openDatabase({ databaseUrl: undefined, dataDir: path.join(tmp, 'data') });
    return { db, engine: 'PGlite', drop: () => db.close() };
  }
  const name = `onegrid_bench_${process.pid}`;
  const admin = await openDatabase({ databaseUrl: url, dataDir: tmp });
  await admin.exec(`DROP DATABASE IF EXISTS ${name}`);
  await admin.exec(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: u.toString(), dataDir: tmp });
  return {
    db,
    engine: 'PostgreSQL',
    async drop() {
      await db.close();
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

export const importBenchmark: Benchmark = {
  name: 'import',
  description:
    'component import (file → checks → COPY → upsert) vs raw COPY into a plain table; --rows N, --format csv|geojson, --batch-size N, --located 0–1 (share without grid code)',
  async run({ progress, options }) {
    const n = Number(options.rows ?? 200_000);
    if (!Number.isInteger(n) || n < 1) throw new Error('--rows must be a positive integer');
    const format = options.format === 'geojson' ? 'geojson' : 'csv';
    const located = options.located === undefined ? 0.5 : Number(options.located);
    if (!(located >= 0 && located <= 1)) throw new Error('--located must be a fraction between 0 and 1');
    const batchSize = options['batch-size'] === undefined ? undefined : Number(options['batch-size']);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onegrid-bench-import-'));
    const file = path.join(tmp, `components.${format}`);
    const rows: BenchRow[] = [];
    const bench = await openBenchDb(tmp);
    try {
      const { db, engine } = bench;
      progress(
        `${engine}: migrating, seeding 100 unit grids, writing ${n.toLocaleString('en-US')} rows to ${file}`,
      );
      await migrate(db);
      await seedGrids(db);
      writeFile(file, n, located, format);

      // The baseline: a plain table with the same columns. The reference: the same columns with
      // components' indexes (primary key, unique legacy id, GiST, two B-trees) and CHECKs.
      await db.exec(`CREATE TABLE bench_raw_components AS SELECT * FROM components WITH NO DATA;
        CREATE TABLE bench_indexed_components (LIKE components INCLUDING ALL)`);
      let t = performance.now();
      await db.copyFrom('bench_raw_components', rawColumns, rawLines(n, located));
      const rawSeconds = (performance.now() - t) / 1000;
      rows.push({
        subject: 'raw COPY (plain table)',
        value: n / rawSeconds,
        unit: 'rows/s',
        note: `${engine}, ${rawSeconds.toFixed(1)} s`,
      });
      progress(`raw COPY into a plain table: ${rawSeconds.toFixed(1)} s`);
      t = performance.now();
      await db.copyFrom('bench_indexed_components', rawColumns, rawLines(n, located));
      const indexedSeconds = (performance.now() - t) / 1000;
      rows.push({
        subject: 'raw COPY (indexes + checks)',
        value: n / indexedSeconds,
        unit: 'rows/s',
        baseline: 'raw COPY (plain table)',
        better: 'higher',
        note: `${engine}, ${indexedSeconds.toFixed(1)} s: the floor any upsert into components starts from`,
      });
      progress(`raw COPY into a table with components' indexes: ${indexedSeconds.toFixed(1)} s`);

      t = performance.now();
      const report = await importFile(
        db,
        { kind: 'components', file, ...(batchSize ? { batchSize } : {}) },
        (p) =>
          progress(
            `import: ${p.rowsRead.toLocaleString('en-US')} rows, ${p.rowsPerSecond.toLocaleString('en-US')} rows/s`,
          ),
        { progressIntervalMs: 5000 },
      );
      const seconds = (performance.now() - t) / 1000;
      if (report.imported !== n) {
        throw new Error(
          `import wrote ${report.imported} of ${n} rows: ${JSON.stringify(report.rejects.slice(0, 3))}`,
        );
      }
      rows.push({
        subject: `onegrid import components (${format})`,
        value: n / seconds,
        unit: 'rows/s',
        baseline: 'raw COPY (plain table)',
        better: 'higher',
        note:
          `${engine}, ${seconds.toFixed(1)} s, ${(indexedSeconds / seconds).toFixed(2)}× raw COPY (indexes + checks); ` +
          `${Math.round(located * 100)} % of rows located by point`,
      });
    } finally {
      await bench.drop();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return rows;
  },
};
