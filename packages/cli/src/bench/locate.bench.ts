/**
 * `onegrid bench locate`: point location over a city-scale grid set — 40,625 irregular unit grids
 * over 1,433 km² (Shanghai's count and size) — stored in PostGIS and indexed in memory.
 * Measured in one process, one thread: the in-memory index (interior cells, bucket grid +
 * point-in-polygon, and the Flatbush tree path beside it), the full Locator answer, PostGIS
 * ST_Intersects per point, and a brute-force scan of every polygon as the common baseline.
 * Embedded PGlite in memory by default; with DATABASE_URL, a scratch database created beside it
 * and dropped after.
 */
import { Locator, seededRandom, syntheticCity } from '@onegrid/domain';
import { geoRepository, migrate, writeSyntheticCity } from '@onegrid/server';
import type { Benchmark, BenchRow } from './bench.ts';
import { openBenchDb, positiveInt } from './scratch-db.ts';

/** Points per second over `n` points, wall clock and this process's CPU time. */
function measure(n: number, body: () => void): { perSecond: number; cpuPerSecond: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  body();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: n / wall, cpuPerSecond: n / ((cpu.user + cpu.system) / 1e6) };
}

async function measureAsync(n: number, body: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await body();
  return n / ((performance.now() - t0) / 1000);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export const locateBenchmark: Benchmark = {
  name: 'locate',
  description:
    'point → unit grid over 40,625 synthetic grids: in-memory index vs PostGIS ST_Intersects vs brute force; ' +
    '--points N (1,000,000), --sql-points N (2,000), --brute-points N (2,000)',
  async run({ progress, options }) {
    const nPoints = positiveInt(options.points, 1_000_000, 'points');
    const nSql = positiveInt(options['sql-points'], 2000, 'sql-points');
    const nBrute = positiveInt(options['brute-points'], 2000, 'brute-points');

    let t0 = performance.now();
    const city = syntheticCity();
    progress(
      `generated ${fmt(city.unitGrids.length)} unit grids, ${city.areas.length} areas in ${fmt(performance.now() - t0)} ms`,
    );
    const random = seededRandom(2026);
    const { minX, minY, maxX, maxY } = city.bbox;
    const points = new Float64Array(nPoints * 2);
    for (let i = 0; i < points.length; i += 2) {
      points[i] = minX + random() * (maxX - minX);
      points[i + 1] = minY + random() * (maxY - minY);
    }

    const bench = await openBenchDb('locate');
    const rows: BenchRow[] = [];
    try {
      const { db, engine } = bench;
      progress(`${engine}: migrating and loading the grids with COPY`);
      await migrate(db);
      t0 = performance.now();
      await writeSyntheticCity(db, city);
      await db.exec('ANALYZE');
      progress(`loaded into ${engine} in ${fmt(performance.now() - t0)} ms`);

      const repo = geoRepository(db);
      t0 = performance.now();
      const { model } = await repo.loadModel();
      const readMs = performance.now() - t0;
      const locator = new Locator(model);
      const loadMs = performance.now() - t0;
      const grids = locator.unitGrids;
      progress(`index read from ${engine} in ${fmt(readMs)} ms and built in ${fmt(loadMs - readMs)} ms`);

      // Warm the JIT on points not in the measured run.
      for (let i = 0; i < 200_000; i++)
        grids.locate(minX + random() * (maxX - minX), minY + random() * (maxY - minY));

      let found = 0;
      const index = measure(nPoints, () => {
        for (let i = 0; i < points.length; i += 2) if (grids.locate(points[i]!, points[i + 1]!) >= 0) found++;
      });
      progress(`index: ${fmt(index.perSecond)} points/s (${fmt(found)} of ${fmt(nPoints)} in a grid)`);
      const buckets = measure(nPoints, () => {
        for (let i = 0; i < points.length; i += 2) grids.locateWithBuckets(points[i]!, points[i + 1]!);
      });
      const tree = measure(nPoints, () => {
        for (let i = 0; i < points.length; i += 2) grids.locateWithTree(points[i]!, points[i + 1]!);
      });
      const nFull = Math.min(nPoints, 200_000);
      const full = measure(nFull, () => {
        for (let i = 0; i < nFull * 2; i += 2) locator.locate(points[i]!, points[i + 1]!);
      });
      const brute = measure(nBrute, () => {
        for (let i = 0; i < nBrute * 2; i += 2) grids.locateBruteForce(points[i]!, points[i + 1]!);
      });
      progress(
        `brute force: ${fmt(brute.perSecond)} points/s; now PostGIS, ${fmt(nSql)} points one query each`,
      );

      let sqlAgree = 0;
      const sqlGrid = await measureAsync(nSql, async () => {
        for (let i = 0; i < nSql * 2; i += 2) {
          const r = await db.query<{ code: string }>(
            `SELECT code FROM (
               SELECT code FROM unit_grids
               WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)) OFFSET 0
             ) s ORDER BY code COLLATE "C" LIMIT 1`,
            [points[i], points[i + 1]],
          );
          const g = grids.locate(points[i]!, points[i + 1]!);
          if ((r.rows[0]?.code ?? null) === (g < 0 ? null : grids.code(g))) sqlAgree++;
        }
      });
      const nLocateSql = Math.min(nSql, 500);
      const sqlFull = await measureAsync(nLocateSql, async () => {
        for (let i = 0; i < nLocateSql * 2; i += 2) await repo.locateSql(points[i]!, points[i + 1]!);
      });

      const grid = `${fmt(city.unitGrids.length)} grids`;
      rows.push(
        {
          subject: 'brute-force scan (PIP over all grids)',
          value: brute.perSecond,
          unit: 'points/s',
          note: `${fmt(nBrute)} points`,
        },
        {
          subject: `PostGIS ST_Intersects per point (${engine})`,
          value: sqlGrid,
          unit: 'points/s',
          baseline: 'brute-force scan (PIP over all grids)',
          note: `${fmt(nSql)} queries, unit grid only; same answer as the index for ${fmt(sqlAgree)}/${fmt(nSql)}`,
        },
        {
          subject: `PostGIS locateSql per point (${engine})`,
          value: sqlFull,
          unit: 'points/s',
          baseline: 'brute-force scan (PIP over all grids)',
          note: `${fmt(nLocateSql)} queries, all levels and names`,
        },
        {
          subject: 'index: Flatbush tree + PIP',
          value: tree.perSecond,
          unit: 'points/s',
          baseline: 'brute-force scan (PIP over all grids)',
          note: `cpu ${fmt(tree.cpuPerSecond)}/s`,
        },
        {
          subject: 'index: bucket grid + PIP',
          value: buckets.perSecond,
          unit: 'points/s',
          baseline: 'brute-force scan (PIP over all grids)',
          note: `cpu ${fmt(buckets.cpuPerSecond)}/s`,
        },
        {
          subject: 'index: interior cells, then buckets (locate)',
          value: index.perSecond,
          unit: 'points/s',
          baseline: `PostGIS ST_Intersects per point (${engine})`,
          note: `${fmt(nPoints)} points over ${grid}, 1 thread; cpu ${fmt(index.cpuPerSecond)}/s`,
        },
        {
          subject: 'Locator.locate (all levels, names)',
          value: full.perSecond,
          unit: 'points/s',
          baseline: `PostGIS locateSql per point (${engine})`,
          note: `${fmt(nFull)} points; cpu ${fmt(full.cpuPerSecond)}/s`,
        },
        {
          subject: 'index load (read from DB + build)',
          value: loadMs,
          unit: 'ms',
          better: 'lower',
          note: `read ${fmt(readMs)} ms + build ${fmt(loadMs - readMs)} ms; ${grid}, ${city.areas.length} areas, ${city.dutyGrids.length} duty grids`,
        },
      );
    } finally {
      await bench.drop();
    }
    return rows;
  },
};

export default locateBenchmark;
