import type { Queryable } from '../db/db.ts';

export interface PatrolPointRow {
  userId: number;
  username: string;
  displayName: string;
  recordedAt: Date | string;
  lng: number;
  lat: number;
  accuracyM: number | null;
  unitGridCode: string | null;
}

export interface NewPatrolPoint {
  recordedAt: Date;
  lng: number;
  lat: number;
  accuracyM: number | null;
  unitGridCode: string | null;
}

export function patrolRepository(db: Queryable) {
  return {
    /** Stores the points; a (user, recordedAt) already stored is skipped. Returns how many were new. */
    /** The duty grids a user patrols and their extent; the extent of `scope` when there are none. */
    async beat(
      userId: number,
      scope: string,
    ): Promise<{ grids: { code: string; name: string }[]; bbox: [number, number, number, number] | null }> {
      const grids = await db.query<{ code: string; name: string }>(
        `SELECT g.code, g.name FROM duty_grid_inspectors i JOIN duty_grids g ON g.code = i.duty_grid_code
          WHERE i.user_id = $1 ORDER BY g.code`,
        [userId],
      );
      const box = await db.query<{ w: number | null; s: number | null; e: number | null; n: number | null }>(
        `SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n FROM (
           SELECT coalesce(
             (SELECT ST_Extent(g.geom)::geometry FROM duty_grid_inspectors i
                JOIN duty_grids g ON g.code = i.duty_grid_code WHERE i.user_id = $1),
             (SELECT ST_Extent(geom)::geometry FROM areas WHERE code = $2)) AS x) b`,
        [userId, scope],
      );
      const b = box.rows[0];
      return {
        grids: grids.rows,
        bbox: b && b.w !== null && b.s !== null && b.e !== null && b.n !== null ? [b.w, b.s, b.e, b.n] : null,
      };
    },

    async insert(userId: number, points: readonly NewPatrolPoint[]): Promise<number> {
      if (!points.length) return 0;
      const r = await db.query(
        `INSERT INTO patrol_points (user_id, recorded_at, geom, accuracy_m, unit_grid_code)
         SELECT $1, p.t, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326), p.acc, p.grid
           FROM unnest($2::timestamptz[], $3::float8[], $4::float8[], $5::real[], $6::text[])
                AS p(t, x, y, acc, grid)
         ON CONFLICT (user_id, recorded_at) DO NOTHING`,
        [
          userId,
          points.map((p) => p.recordedAt.toISOString()),
          points.map((p) => p.lng),
          points.map((p) => p.lat),
          points.map((p) => p.accuracyM),
          points.map((p) => p.unitGridCode),
        ],
      );
      return r.rowCount;
    },

    /** Points in [from, to) of one user, or of every user whose scope lies inside `scope`. */
    async tracks(q: { userId?: number; scope: string; from: Date; to: Date; limit: number }) {
      const r = await db.query<PatrolPointRow>(
        `SELECT u.id::int AS "userId", u.username, u.display_name AS "displayName",
                p.recorded_at AS "recordedAt", ST_X(p.geom) AS lng, ST_Y(p.geom) AS lat,
                p.accuracy_m AS "accuracyM", p.unit_grid_code AS "unitGridCode"
           FROM patrol_points p JOIN users u ON u.id = p.user_id
          WHERE p.recorded_at >= $1 AND p.recorded_at < $2
            AND ($3::bigint IS NULL OR p.user_id = $3)
            AND u.scope_code LIKE $4 || '%'
          ORDER BY u.id, p.recorded_at
          LIMIT $5`,
        [q.from.toISOString(), q.to.toISOString(), q.userId ?? null, q.scope, q.limit],
      );
      return r.rows;
    },
  };
}
export type PatrolRepository = ReturnType<typeof patrolRepository>;
