import type { Db, Queryable } from '../db/db.ts';

/**
 * Runs seeding statements in one transaction, without the statement timeouts. PostgreSQL's JIT is switched off inside it: the
 * planner prices PostGIS functions high and lattice queries look huge, so JIT would spend seconds
 * compiling every statement that then runs in milliseconds.
 */
export async function seedSession<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(
    async (tx) => {
      if (tx.engine === 'postgres') await tx.query('SET LOCAL jit = off');
      return fn(tx);
    },
    // Bulk work, not a request: a city-scale district (浦东新区's police grids onto 100,000 unit
    // grids) runs past the server's statement timeout.
    { unbounded: true },
  );
}

/** True when no district exists yet: `onegrid serve` then loads the demo city. */
export async function cityIsEmpty(db: Queryable): Promise<boolean> {
  const r = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM areas WHERE level <> 'city'");
  return (r.rows[0]?.n ?? 0) === 0;
}

export interface CityCounts {
  districts: number;
  streets: number;
  communities: number;
  unitGrids: number;
  dutyGrids: number;
  components: number;
  departments: number;
  users: number;
  policeGrids: number;
}

export async function cityCounts(db: Queryable): Promise<CityCounts> {
  const r = await db.query<CityCounts>(
    `SELECT (SELECT count(*) FROM areas WHERE level = 'district')::int AS districts,
            (SELECT count(*) FROM areas WHERE level = 'street')::int AS streets,
            (SELECT count(*) FROM areas WHERE level = 'community')::int AS communities,
            (SELECT count(*) FROM unit_grids)::int AS "unitGrids",
            (SELECT count(*) FROM duty_grids)::int AS "dutyGrids",
            (SELECT count(*) FROM components)::int AS components,
            (SELECT count(*) FROM departments)::int AS departments,
            (SELECT count(*) FROM users)::int AS users,
            (SELECT count(*) FROM layer_grids WHERE layer_id = 'police')::int AS "policeGrids"`,
  );
  return r.rows[0]!;
}

/**
 * Removes the city below its root: grids, components, departments, demo users, areas. Accounts
 * that are not demo accounts stay; if one still belongs to a department or area being removed,
 * the database refuses and the error says which.
 */
export async function clearCity(db: Queryable): Promise<void> {
  await db.exec(`
    DELETE FROM emergency_dispatches;
    DELETE FROM emergency_incidents;
    DELETE FROM emergency_resources;
    DELETE FROM emergency_plans;
    DELETE FROM duty_log;
    DELETE FROM duty_shifts;
    DELETE FROM layer_grid_units;
    DELETE FROM layer_grids;
    DELETE FROM components;
    DELETE FROM duty_grid_inspectors;
    DELETE FROM users WHERE demo;
    UPDATE unit_grids SET duty_grid_code = NULL;
    DELETE FROM unit_grids;
    DELETE FROM duty_grids;
    DELETE FROM departments;
    DELETE FROM addresses;
    DELETE FROM areas WHERE level = 'community';
    DELETE FROM areas WHERE level = 'street';
    DELETE FROM areas WHERE level = 'district';
  `);
}
