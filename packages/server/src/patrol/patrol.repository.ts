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
