/**
 * Drill-down figures (city → district → street → unit grid): totals, the next level down with
 * its figures, open cases by category, source and status, a 14-day trend; for a unit grid also
 * its cases, components, devices and inspectors.
 */
import { areaCodeLength, levelOfCode } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';
import { publicText } from '../privacy/present.ts';
import { presenceMs } from './command.repository.ts';

const open = `c.status NOT IN ('closed', 'rejected', 'merged')`;
type Level = 'city' | 'district' | 'street' | 'community' | 'grid';

/** Shanghai's midnight before `now` (the centre's working day). */
export function startOfDay(now: Date): Date {
  const shifted = new Date(now.getTime() + 8 * 3600_000);
  return new Date(
    Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate()) - 8 * 3600_000,
  );
}

const levelOf = (code: string): Level | undefined => {
  const l = levelOfCode(code);
  return l === 'unitGrid' ? 'grid' : l;
};

/** The drill path: district under the city, street under the district, unit grid under the street. */
const drillLengths = [
  areaCodeLength.city,
  areaCodeLength.district,
  areaCodeLength.street,
  areaCodeLength.unitGrid,
];

export function figuresRepository(db: Queryable) {
  async function areaInfo(code: string) {
    const level = levelOf(code);
    if (!level) return undefined;
    if (level === 'grid') {
      const r = await db.query<{ code: string; xmin: number; ymin: number; xmax: number; ymax: number }>(
        `SELECT code, ST_XMin(geom) AS xmin, ST_YMin(geom) AS ymin, ST_XMax(geom) AS xmax, ST_YMax(geom) AS ymax
           FROM unit_grids WHERE code = $1`,
        [code],
      );
      const g = r.rows[0];
      return g
        ? {
            code,
            name: code,
            level,
            bbox: [g.xmin, g.ymin, g.xmax, g.ymax] as [number, number, number, number],
          }
        : undefined;
    }
    const r = await db.query<{ name: string; xmin: number | null; ymin: number; xmax: number; ymax: number }>(
      `SELECT a.name, ST_XMin(e) AS xmin, ST_YMin(e) AS ymin, ST_XMax(e) AS xmax, ST_YMax(e) AS ymax
         FROM areas a, LATERAL (SELECT coalesce(a.geom::box2d,
                 (SELECT ST_Extent(s.geom) FROM areas s WHERE s.code LIKE a.code || '%' AND s.geom IS NOT NULL)) AS e) x
        WHERE a.code = $1`,
      [code],
    );
    const a = r.rows[0];
    if (!a) return undefined;
    return {
      code,
      name: a.name,
      level,
      bbox: a.xmin === null ? null : ([a.xmin, a.ymin, a.xmax, a.ymax] as [number, number, number, number]),
    };
  }

  return {
    areaInfo,

    /** Breadcrumbs from `scope` down to `code`, along the drill path. */
    async path(scope: string, code: string) {
      const codes = drillLengths
        .filter((n) => n >= scope.length && n < code.length)
        .map((n) => code.slice(0, n))
        .concat(code);
      const r = await db.query<{ code: string; name: string; level: string }>(
        'SELECT code, name, level FROM areas WHERE code = ANY($1)',
        [codes],
      );
      const byCode = new Map(r.rows.map((x) => [x.code, x]));
      return codes.map((c) => byCode.get(c) ?? { code: c, name: c, level: levelOf(c) ?? 'grid' });
    },

    async totals(area: string, now: Date) {
      const day = startOfDay(now);
      const r = await db.query<{
        open: number;
        urgent: number;
        overdue: number;
        newToday: number;
        closedToday: number;
      }>(
        `SELECT count(*) FILTER (WHERE ${open})::int AS open,
                count(*) FILTER (WHERE ${open} AND c.urgency = 'urgent')::int AS urgent,
                count(*) FILTER (WHERE ${open} AND c.due_at < $2)::int AS overdue,
                count(*) FILTER (WHERE c.created_at >= $3)::int AS "newToday",
                count(*) FILTER (WHERE c.closed_at >= $3 AND c.status = 'closed')::int AS "closedToday"
           FROM cases c WHERE c.area_code LIKE $1 || '%' AND (${open} OR c.created_at >= $3 OR c.closed_at >= $3)`,
        [area, now, day],
      );
      return r.rows[0]!;
    },

    async children(code: string, now: Date) {
      const level = levelOf(code);
      if (!level || level === 'grid') return [];
      const day = startOfDay(now);
      const units = level === 'street' || level === 'community';
      const childColumn =
        level === 'city' ? 'district_code' : level === 'district' ? 'street_code' : 'unit_grid_code';
      const listing = units
        ? `SELECT g.code, g.code AS name, 'grid' AS level, ST_X(ST_PointOnSurface(g.geom)) AS lng,
                  ST_Y(ST_PointOnSurface(g.geom)) AS lat
             FROM unit_grids g WHERE g.${level === 'street' ? 'street_code' : 'community_code'} = $1`
        : `SELECT a.code, a.name, a.level, ST_X(coalesce(a.center, ST_PointOnSurface(a.geom))) AS lng,
                  ST_Y(coalesce(a.center, ST_PointOnSurface(a.geom))) AS lat
             FROM areas a WHERE a.parent_code = $1`;
      const r = await db.query<{
        code: string;
        name: string;
        level: string;
        lng: number | null;
        lat: number | null;
        open: number;
        urgent: number;
        overdue: number;
        newToday: number;
      }>(
        `WITH kids AS (${listing}),
         figures AS (
           SELECT c.${childColumn} AS code,
                  count(*) FILTER (WHERE ${open})::int AS open,
                  count(*) FILTER (WHERE ${open} AND c.urgency = 'urgent')::int AS urgent,
                  count(*) FILTER (WHERE ${open} AND c.due_at < $2)::int AS overdue,
                  count(*) FILTER (WHERE c.created_at >= $3)::int AS "newToday"
             FROM cases c WHERE c.area_code LIKE $1 || '%' AND (${open} OR c.created_at >= $3)
            GROUP BY 1)
         SELECT k.code, k.name, k.level, k.lng, k.lat, coalesce(f.open, 0) AS open, coalesce(f.urgent, 0) AS urgent,
                coalesce(f.overdue, 0) AS overdue, coalesce(f."newToday", 0) AS "newToday"
           FROM kids k LEFT JOIN figures f ON f.code = k.code
          ORDER BY open DESC, k.code`,
        [code, now, day],
      );
      return r.rows;
    },

    async breakdown(area: string) {
      const [cat, src, st] = await Promise.all([
        db.query<{ code: string; name: string; count: number }>(
          `SELECT g.code, coalesce((SELECT k.major_name FROM categories k WHERE k.major_code = g.code
                                      AND k.kind IN ('component', 'event') LIMIT 1), g.code) AS name, g.count
             FROM (SELECT left(c.category_code, 2) AS code, count(*)::int AS count
                     FROM cases c WHERE c.area_code LIKE $1 || '%' AND ${open} GROUP BY 1) g
            ORDER BY g.count DESC, g.code`,
          [area],
        ),
        db.query<{ code: string; name: string; count: number }>(
          `SELECT c.source AS code, c.source AS name, count(*)::int AS count
             FROM cases c WHERE c.area_code LIKE $1 || '%' AND ${open} GROUP BY 1 ORDER BY 3 DESC, 1`,
          [area],
        ),
        db.query<{ code: string; name: string; count: number }>(
          `SELECT c.status AS code, c.status AS name, count(*)::int AS count
             FROM cases c WHERE c.area_code LIKE $1 || '%' AND ${open} GROUP BY 1 ORDER BY 3 DESC, 1`,
          [area],
        ),
      ]);
      return { byCategory: cat.rows, bySource: src.rows, byStatus: st.rows };
    },

    /** Reported and closed per Shanghai day over the last `days` days, today included. */
    async trend(area: string, now: Date, days: number) {
      const first = new Date(startOfDay(now).getTime() - (days - 1) * 86_400_000);
      const r = await db.query<{ day: string; reported: number; closed: number }>(
        `WITH d AS (SELECT generate_series(0, $3 - 1) AS i)
         SELECT to_char(($2::timestamptz + d.i * interval '1 day') AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day,
                (SELECT count(*)::int FROM cases c WHERE c.area_code LIKE $1 || '%'
                   AND c.created_at >= $2::timestamptz + d.i * interval '1 day'
                   AND c.created_at < $2::timestamptz + (d.i + 1) * interval '1 day') AS reported,
                (SELECT count(*)::int FROM cases c WHERE c.area_code LIKE $1 || '%' AND c.status = 'closed'
                   AND c.closed_at >= $2::timestamptz + d.i * interval '1 day'
                   AND c.closed_at < $2::timestamptz + (d.i + 1) * interval '1 day') AS closed
           FROM d ORDER BY d.i`,
        [area, first, days],
      );
      return r.rows;
    },

    async gridDetail(code: string, now: Date) {
      const [cases, components, devices, inspectors] = await Promise.all([
        db.query<{
          id: number;
          number: string;
          status: string;
          category: string;
          urgency: string;
          description: string;
        }>(
          `SELECT c.id::int AS id, c.number, c.status, c.category_code AS category, c.urgency, c.description
             FROM cases c WHERE c.unit_grid_code = $1 AND ${open}
            ORDER BY c.urgency = 'urgent' DESC, c.created_at DESC LIMIT 100`,
          [code],
        ),
        db.query<{ id: string; name: string; status: string; owner: string }>(
          `SELECT id, name, status, owner_dept_name AS owner FROM components
            WHERE unit_grid_code = $1 ORDER BY status <> 'intact' DESC, id LIMIT 200`,
          [code],
        ),
        db.query<{ id: string; name: string; typeId: string; status: string }>(
          `SELECT id, name, type_id AS "typeId", status FROM devices WHERE unit_grid_code = $1 ORDER BY id LIMIT 200`,
          [code],
        ),
        db.query<{ userId: number; name: string; at: Date }>(
          `SELECT DISTINCT ON (p.user_id) p.user_id::int AS "userId", u.display_name AS name, p.recorded_at AS at
             FROM patrol_points p JOIN users u ON u.id = p.user_id
            WHERE p.unit_grid_code = $1 AND p.recorded_at > $2 AND p.recorded_at <= $3
            ORDER BY p.user_id, p.recorded_at DESC`,
          [code, new Date(now.getTime() - presenceMs), now],
        ),
      ]);
      return {
        cases: cases.rows.map((c) => ({ ...c, description: publicText(c.description) })),
        components: components.rows,
        devices: devices.rows,
        inspectors: inspectors.rows.map((i) => ({ ...i, at: new Date(i.at).toISOString() })),
      };
    },
  };
}

export type FiguresRepository = ReturnType<typeof figuresRepository>;
