import { Locator, seededRandom, syntheticCity } from '@onegrid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geoRepository } from '../src/geo/geo.repository.ts';
import { writeSyntheticCity } from '../src/geo/synthetic.loader.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { fixtureProbePoints, lat, lng, writeFixtureCity } from './geo-fixture.ts';

/**
 * The in-memory index must answer exactly what PostGIS answers, on every point: interior points,
 * and above all points on shared edges and vertices, where "smallest code wins" decides.
 */
describe(`locate: in-memory index and PostGIS agree on ${testEngine}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('on the hand-made city: vertices, edges, the slanted edge and outside', async () => {
    await writeFixtureCity(t.db);
    const repo = geoRepository(t.db);
    const locator = new Locator((await repo.loadModel()).model);
    let located = 0;
    for (const [x, y] of fixtureProbePoints()) {
      const memory = locator.locate(lng(x), lat(y));
      expect(memory, `(${x}, ${y})`).toEqual(await repo.locateSql(lng(x), lat(y)));
      if (memory) located++;
    }
    expect(located).toBeGreaterThan(150);
    // Spot checks of the rule itself, so agreement cannot hide a shared mistake.
    expect(locator.locate(lng(1), lat(1))?.unitGrid?.code).toBe('310101002001001');
    expect(locator.locate(lng(4), lat(1))?.unitGrid?.code).toBe('310101002002002');
    // On the district border, but on a grid of 310104 too: the grid decides, not the district polygons.
    expect(locator.locate(lng(4), lat(3))?.district?.code).toBe('310104');
    expect(locator.locate(lng(4), lat(3))?.unitGrid?.code).toBe('310104003001001');
    expect(locator.locate(lng(4), lat(4))?.unitGrid?.code).toBe('310104003001001');
    expect(locator.locate(lng(3), lat(3))?.unitGrid).toBeNull();
    expect(locator.locate(lng(2.5), lat(0.5))?.unitGrid?.code).toBe('310101002002001');
    expect(locator.locate(lng(3.5), lat(1))?.unitGrid?.code).toBe('310101002002002');
  });

  it('on a synthetic city of 576 irregular grids: every lattice vertex, kinked edges and random points', async () => {
    await t.db.exec('TRUNCATE unit_grids, duty_grids CASCADE');
    await t.db.query("DELETE FROM areas WHERE level <> 'city'");
    const city = syntheticCity({
      districts: 2,
      streetsPerDistrict: 2,
      communitiesPerStreetSide: 3,
      gridsPerCommunitySide: 4,
    });
    await writeSyntheticCity(t.db, city);
    const repo = geoRepository(t.db);
    const loaded = await repo.loadModel();
    const locator = new Locator(loaded.model);
    expect(locator.stats()).toEqual({
      districts: 2,
      streets: 4,
      communities: 36,
      unitGrids: 576,
      dutyGrids: 36,
    });

    const points: [number, number][] = [];
    for (let k = 0; k < city.vertices.length; k += 2) points.push([city.vertices[k]!, city.vertices[k + 1]!]);
    // Points on the kinked edges of some grids, where rounding decides the side.
    for (const g of city.unitGrids.filter((_, i) => i % 40 === 0)) {
      const ring = g.geometry[0]![0]!;
      for (let i = 0; i + 3 < ring.length; i += 2) {
        points.push([(ring[i]! + ring[i + 2]!) / 2, (ring[i + 1]! + ring[i + 3]!) / 2]);
      }
    }
    const random = seededRandom(99);
    const { minX, minY, maxX, maxY } = city.bbox;
    for (let i = 0; i < 300; i++) {
      points.push([minX + random() * (maxX - minX), minY + random() * (maxY - minY)]);
    }

    let onGrid = 0;
    for (const [x, y] of points) {
      const memory = locator.locate(x, y);
      expect(memory, `(${x}, ${y})`).toEqual(await repo.locateSql(x, y));
      if (memory?.unitGrid) onGrid++;
    }
    expect(points.length).toBeGreaterThan(1000);
    expect(onGrid).toBeGreaterThan(points.length * 0.9);
  });
});
