import { syntheticCity } from '@onegrid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticCity } from '../src/geo/synthetic.loader.ts';
import { type TileLayer, tileLayers, tilesRepository } from '../src/tiles/tiles.repository.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { lat, lng, writeFixtureCity } from './geo-fixture.ts';
import { decodeLayer, tileOf } from './geo-tiles.ts';

/**
 * PostgreSQL makes tiles with ST_AsMVT; PGlite cannot (no protobuf-c) and clips in PostGIS,
 * encoding in Node. On PostgreSQL both paths run on the same data and must give the same tile:
 * the same features in the same order with the same properties, geometry within a unit or two.
 */
describe.runIf(testEngine === 'postgres')('vector tiles: ST_AsMVT and the Node encoder agree', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
    await writeFixtureCity(t.db);
    await writeSyntheticCity(
      t.db,
      syntheticCity({
        districts: 2,
        streetsPerDistrict: 2,
        communitiesPerStreetSide: 3,
        gridsPerCommunitySide: 4,
        firstDistrict: 51,
        origin: { lng: 121.1, lat: 31.3 },
      }),
    );
    await t.db.query(
      `INSERT INTO components (id, category_code, name, owner_dept_code, owner_dept_name, unit_grid_code, status,
         survey_date, district_code, geom)
       SELECT '310104010010000' || lpad(i::text, 2, '0'), '01001', '井盖' || i, 'D1', '水务局', '310104003001001',
         CASE WHEN i % 3 = 0 THEN 'damaged' ELSE 'intact' END, '2026-01-01', '310104',
         ST_SetSRID(ST_MakePoint($1 + i * 0.0002, $2), 4326)
       FROM generate_series(1, 40) i`,
      [lng(4.1), lat(1)],
    );
    // The base map's own layers: a main road and a lane (lines), a river (a polygon).
    await t.db.query(
      `INSERT INTO roads (code, name, class, min_zoom, geom) VALUES
         ('r1', '南京东路', 'primary', 10, ST_Multi(ST_SetSRID(ST_MakeLine(ST_MakePoint($1, $3), ST_MakePoint($2, $4)), 4326))),
         ('r2', '云南中路', 'residential', 14, ST_Multi(ST_SetSRID(ST_MakeLine(ST_MakePoint($1, $4), ST_MakePoint($2, $3)), 4326)))`,
      [lng(0), lng(8), lat(1.2), lat(1.6)],
    );
    await t.db.query(
      `INSERT INTO water (code, name, class, geom) VALUES
         ('w1', '黄浦江', 'river', ST_Multi(ST_MakeEnvelope($1, $3, $2, $4, 4326)))`,
      [lng(3.9), lng(4.4), lat(0), lat(3)],
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const tiles: [number, number, number][] = [];
  for (const [x, y, z] of [
    [lng(4), lat(2), 8],
    [lng(4), lat(2), 10],
    [lng(3), lat(1), 13],
    [lng(4.2), lat(1), 15],
    [121.11, 31.29, 12],
    [121.11, 31.29, 14],
    [121.13, 31.27, 16],
  ] as const) {
    const { x: tx, y: ty } = tileOf(x, y, z);
    tiles.push([z, tx, ty]);
  }

  it.each(tileLayers.map((l) => [l]))('%s', async (layer: TileLayer) => {
    const repo = tilesRepository(t.db);
    let compared = 0;
    for (const [z, x, y] of tiles) {
      const native = await repo.tile(layer, z, x, y, 'native');
      const portable = await repo.tile(layer, z, x, y, 'portable');
      const a = native.byteLength ? decodeLayer(native, layer).features : [];
      const b = portable.byteLength ? decodeLayer(portable, layer).features : [];
      expect(
        b.map((f) => f.properties),
        `${layer} ${z}/${x}/${y}`,
      ).toEqual(a.map((f) => f.properties));
      a.forEach((f, i) => {
        expect(b[i]!.type).toBe(f.type);
        for (let k = 0; k < 4; k++) {
          expect(Math.abs(b[i]!.bbox[k]! - f.bbox[k]!), `${layer} ${z}/${x}/${y} #${i}`).toBeLessThanOrEqual(
            2,
          );
        }
      });
      compared += a.length;
    }
    expect(compared).toBeGreaterThan(0);
  });
});
