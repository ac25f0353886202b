import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../src/db/migrate.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';

describe(`migrations on ${testEngine}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(async () => t?.close());

  it('has applied every migration, and applying again changes nothing', async () => {
    const { rows } = await t.db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(listMigrations().map((m) => m.name));
    expect(await migrate(t.db)).toEqual([]);
  });

  it('has PostGIS with GEOS and PROJ', async () => {
    const { rows } = await t.db.query<{ x: number }>(
      'SELECT round(ST_X(ST_Transform(ST_SetSRID(ST_MakePoint(121.4737, 31.2304), 4326), 3857))) AS x',
    );
    expect(rows[0]?.x).toBe(13522390);
  });

  it('rejects a code of the wrong shape', async () => {
    await expect(
      t.db.query("INSERT INTO areas (code, level, name, parent_code) VALUES ('31', 'city', 'x', NULL)"),
    ).rejects.toThrow(/check/i);
  });
});
