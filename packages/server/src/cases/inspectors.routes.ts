/**
 * Who can verify a case on site (派发核实): the inspectors whose area holds the case — the ones
 * `confirm-report` would accept — nearest duty grid first, with whether they are on duty now
 * (a patrol point in the last two hours, as on the command screen).
 */
import { Type } from '@sinclair/typebox';
import { presenceMs } from '../command/command.repository.ts';
import type { Queryable } from '../db/db.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import type { CaseService } from './case.service.ts';

export interface InspectorCandidate {
  id: number;
  username: string;
  displayName: string;
  dutyGridCodes: string[];
  /** Metres from the case's point to the nearest of their duty grids (0 inside); null without one. */
  distanceMeters: number | null;
  onDuty: boolean;
  lastSeenAt: string | null;
}

/** Inspectors whose scope holds `areaCode`, nearest duty grid to (lng, lat) first. */
export async function inspectorCandidates(
  db: Queryable,
  q: { areaCode: string; lng: number; lat: number; now: Date; limit?: number },
): Promise<InspectorCandidate[]> {
  const r = await db.query<{
    id: number;
    username: string;
    displayName: string;
    dutyGridCodes: string[] | null;
    distanceMeters: number | null;
    lastSeenAt: Date | null;
  }>(
    `WITH pt AS (SELECT ST_SetSRID(ST_MakePoint($2, $3), 4326) AS p)
     SELECT u.id::int AS id, u.username, u.display_name AS "displayName",
            (SELECT array_agg(i.duty_grid_code ORDER BY i.duty_grid_code) FROM duty_grid_inspectors i
              WHERE i.user_id = u.id) AS "dutyGridCodes",
            (SELECT round(min(CASE WHEN ST_Intersects(g.geom, pt.p) THEN 0
                                   ELSE ST_DistanceSphere(ST_ClosestPoint(g.geom, pt.p), pt.p) END)::numeric)::float8
               FROM duty_grid_inspectors i JOIN duty_grids g ON g.code = i.duty_grid_code, pt
              WHERE i.user_id = u.id AND g.geom IS NOT NULL) AS "distanceMeters",
            (SELECT max(p.recorded_at) FROM patrol_points p
              WHERE p.user_id = u.id AND p.recorded_at > $4 AND p.recorded_at <= $5) AS "lastSeenAt"
       FROM users u
      WHERE u.role = 'inspector' AND u.active AND starts_with($1, u.scope_code)
      ORDER BY "distanceMeters" ASC NULLS LAST, "lastSeenAt" DESC NULLS LAST, u.display_name, u.id
      LIMIT $6`,
    [q.areaCode, q.lng, q.lat, new Date(q.now.getTime() - presenceMs), q.now, q.limit ?? 50],
  );
  return r.rows.map((x) => ({
    id: x.id,
    username: x.username,
    displayName: x.displayName,
    dutyGridCodes: x.dutyGridCodes ?? [],
    distanceMeters: x.distanceMeters,
    onDuty: x.lastSeenAt !== null,
    lastSeenAt: x.lastSeenAt ? new Date(x.lastSeenAt).toISOString() : null,
  }));
}

export function inspectorCandidateRoutes(
  app: App,
  { db, cases, clock }: { db: Queryable; cases: CaseService; clock: () => Date },
) {
  app.get(
    '/api/v1/cases/:id/inspectors',
    {
      config: { access: 'cases:read' },
      schema: {
        tags: ['cases'],
        summary:
          'Inspectors who may verify this case on site (派发核实): those whose area holds it, nearest duty grid first, with who is on duty',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              username: Type.String(),
              displayName: Type.String(),
              dutyGridCodes: Type.Array(Type.String()),
              distanceMeters: Type.Union([Type.Number(), Type.Null()]),
              onDuty: Type.Boolean(),
              lastSeenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
            }),
          ),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const row = await cases.get(request.params.id, p);
      return inspectorCandidates(db, {
        areaCode: row.areaCode,
        lng: row.lng,
        lat: row.lat,
        now: clock(),
        limit: request.query.limit ?? 50,
      });
    },
  );
}
