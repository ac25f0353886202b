import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { geoRepository } from '../src/geo/geo.repository.ts';
import { type GeoService, geoService } from '../src/geo/geo.service.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { lat, lng, writeFixtureCity } from './geo-fixture.ts';
import { silentLog } from './http-harness.ts';

const square = (x: number, y: number, size: number) =>
  `SRID=4326;MULTIPOLYGON(((${x} ${y},${x + size} ${y},${x + size} ${y + size},${x} ${y + size},${x} ${y})))`;

describe(`geo_revision and the locate index on ${testEngine}`, () => {
  let t: TestDb;
  const revision = async () =>
    (await t.db.query<{ r: number }>('SELECT revision::float8 AS r FROM geo_revision')).rows[0]!.r;

  beforeAll(async () => {
    t = await openTestDb();
    await writeFixtureCity(t.db);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('moves once per statement that changes what locate reads, and not for other columns', async () => {
    let r = await revision();
    const step = async (sql: string, params: unknown[], bumps: number) => {
      await t.db.query(sql, params);
      const now = await revision();
      expect(now - r, sql).toBe(bumps);
      r = now;
    };
    await step(
      `INSERT INTO areas (code, level, name, parent_code, geom) VALUES
         ('310105', 'district', '长宁区', '3101', ST_GeomFromEWKT($1)),
         ('310106', 'district', '静安区', '3101', ST_GeomFromEWKT($2))`,
      [square(121.0, 31.0, 0.05), square(121.1, 31.0, 0.05)],
      1,
    );
    await step("UPDATE areas SET population = 1000 WHERE code = '310105'", [], 0);
    await step("UPDATE areas SET name = '长宁' WHERE code = '310105'", [], 1);
    await step("UPDATE unit_grids SET area_m2 = area_m2 WHERE code LIKE '310101%'", [], 0);
    await step("UPDATE unit_grids SET area_class = 'A' WHERE code = '310104003001001'", [], 1);
    await step("UPDATE duty_grids SET name = '东片' WHERE code = 'DG-B'", [], 1);
    await step("DELETE FROM areas WHERE code IN ('310105', '310106')", [], 1);
  });

  describe('the service', () => {
    let clock = 0;
    let geo: GeoService;
    beforeAll(async () => {
      geo = geoService({ repo: geoRepository(t.db), log: silentLog, now: () => clock });
      await geo.refresh();
    });
    afterAll(async () => {
      await geo?.close();
    });
    const districtAt = async (x: number, y: number) => {
      try {
        return (await geo.locate({ lng: x, lat: y })).district?.code;
      } catch (e) {
        if (e instanceof AppError && e.code === 'outside_city') return undefined;
        throw e;
      }
    };

    it('loads the index on refresh and answers from it', async () => {
      expect(geo.status()).toMatchObject({ indexed: true, counts: { districts: 2, unitGrids: 8 } });
      expect(await districtAt(lng(1), lat(1))).toBe('310101');
    });

    it('notices a write at the next check (every 2 s) and answers from PostGIS until the index is rebuilt', async () => {
      await t.db.query(
        "INSERT INTO areas (code, level, name, parent_code, geom) VALUES ('310107', 'district', '普陀区', '3101', ST_GeomFromEWKT($1))",
        [square(121.0, 31.0, 0.05)],
      );
      // Within the check interval the index is trusted as it is.
      expect(await districtAt(121.02, 31.02)).toBeUndefined();
      clock += 2001;
      // The check sees the new revision: this answer already includes the new district.
      expect(await districtAt(121.02, 31.02)).toBe('310107');
      await geo.refresh();
      expect(geo.status()).toMatchObject({ indexed: true, counts: { districts: 3 } });
      expect(await districtAt(121.02, 31.02)).toBe('310107');
    });

    it('refresh() makes a write visible at once, and force reloads writes that bypassed the triggers', async () => {
      await t.db.query("DELETE FROM areas WHERE code = '310107'");
      await geo.refresh();
      expect(await districtAt(121.02, 31.02)).toBeUndefined();

      await t.db.transaction(async (tx) => {
        await tx.query("SET LOCAL session_replication_role = 'replica'");
        await tx.query(
          "INSERT INTO areas (code, level, name, parent_code, geom) VALUES ('310109', 'district', '虹口区', '3101', ST_GeomFromEWKT($1))",
          [square(121.0, 31.0, 0.05)],
        );
      });
      await geo.refresh();
      expect(await districtAt(121.02, 31.02)).toBeUndefined();
      await geo.refresh({ force: true });
      expect(await districtAt(121.02, 31.02)).toBe('310109');
    });
  });
});
