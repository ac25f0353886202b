/**
 * The command screen's reads (综合指挥屏): open cases in a compact form, inspectors' latest
 * positions and tracks, replay of recorded history, incident focus and drill-down figures.
 * Everything is scoped by area-code prefix, the same test as the rest of the API.
 */
import type { Queryable } from '../db/db.ts';

export const closedStatuses = ['closed', 'rejected', 'merged'] as const;
const open = `c.status NOT IN ('closed', 'rejected', 'merged')`;
/** Inspectors count as present for two hours after their last GPS point. */
export const presenceMs = 2 * 3600_000;

const iso = (d: Date | string) => new Date(d).toISOString();

export interface CaseColumns {
  id: number[];
  lng: number[];
  lat: number[];
  major: string[];
  urgent: number[];
  status: string[];
  overdue: number[];
}

export interface PatrolPoint {
  userId: number;
  name: string;
  at: Date;
  lng: number;
  lat: number;
  unitGridCode: string | null;
}

export interface ReplayRow {
  at: Date;
  kind: 'case' | 'alarm';
  id: number;
  action: string;
  lng: number;
  lat: number;
  status: string | null;
  major: string | null;
  urgent: boolean;
  severity: string | null;
  number: string | null;
}

export function commandRepository(db: Queryable) {
  return {
    /**
     * Open cases as columns, aggregated in SQL: one row of JSON instead of 100,000 rows keeps the
     * embedded engine's row transfer out of the way.
     */
    async openCaseColumns(area: string, now: Date): Promise<CaseColumns> {
      const r = await db.query<{ cols: CaseColumns }>(
        `SELECT json_build_object(
                  'id', coalesce(json_agg(id), '[]'), 'lng', coalesce(json_agg(lng), '[]'),
                  'lat', coalesce(json_agg(lat), '[]'), 'major', coalesce(json_agg(major), '[]'),
                  'urgent', coalesce(json_agg(urgent), '[]'), 'status', coalesce(json_agg(status), '[]'),
                  'overdue', coalesce(json_agg(overdue), '[]')) AS cols
           FROM (SELECT c.id, round(ST_X(c.geom)::numeric, 6) AS lng, round(ST_Y(c.geom)::numeric, 6) AS lat,
                        left(c.category_code, 2) AS major, (c.urgency = 'urgent')::int AS urgent, c.status,
                        coalesce(c.due_at < $2, false)::int AS overdue
                   FROM cases c WHERE c.area_code LIKE $1 || '%' AND ${open} ORDER BY c.id) c`,
        [area, now],
      );
      const cols = r.rows[0]!.cols;
      return typeof cols === 'string' ? (JSON.parse(cols) as CaseColumns) : cols;
    },

    /**
     * Open cases counted by street (or by unit grid when `codeLength` is 15) at their mean position:
     * a few hundred rows for a city, what the wall draws while the full set is on its way.
     */
    async openCaseGroups(area: string, codeLength: 9 | 15) {
      const r = await db.query<{ code: string; lng: number; lat: number; count: number; urgent: number }>(
        `SELECT left(c.area_code, $2) AS code, round(avg(ST_X(c.geom))::numeric, 6)::float8 AS lng,
                round(avg(ST_Y(c.geom))::numeric, 6)::float8 AS lat, count(*)::int AS count,
                count(*) FILTER (WHERE c.urgency = 'urgent')::int AS urgent
           FROM cases c WHERE c.area_code LIKE $1 || '%' AND ${open}
          GROUP BY 1 ORDER BY 1`,
        [area, codeLength],
      );
      return r.rows;
    },

    /** GPS points of the last `presenceMs` before `now` lying in `area`, oldest first per inspector. */
    async patrolPoints(area: string, now: Date, perUser: number): Promise<PatrolPoint[]> {
      const r = await db.query<PatrolPoint>(
        `SELECT "userId", name, at, lng, lat, "unitGridCode" FROM (
           SELECT p.user_id::int AS "userId", u.display_name AS name, p.recorded_at AS at,
                  ST_X(p.geom) AS lng, ST_Y(p.geom) AS lat, p.unit_grid_code AS "unitGridCode",
                  row_number() OVER (PARTITION BY p.user_id ORDER BY p.recorded_at DESC) AS rn
             FROM patrol_points p JOIN users u ON u.id = p.user_id
            WHERE p.recorded_at > $2 AND p.recorded_at <= $3
              AND coalesce(p.unit_grid_code, u.scope_code) LIKE $1 || '%') x
          WHERE rn <= $4 ORDER BY "userId", at`,
        [area, new Date(now.getTime() - presenceMs), now, perUser],
      );
      return r.rows;
    },

    async nearestInspectors(scope: string, lng: number, lat: number, now: Date, limit: number) {
      const r = await db.query<{
        userId: number;
        name: string;
        at: Date;
        lng: number;
        lat: number;
        distanceM: number;
      }>(
        `SELECT "userId", name, at, lng, lat,
                round(ST_DistanceSphere(geom, ST_SetSRID(ST_MakePoint($4, $5), 4326))::numeric, 1)::float8 AS "distanceM"
           FROM (SELECT DISTINCT ON (p.user_id) p.user_id::int AS "userId", u.display_name AS name,
                        p.recorded_at AS at, ST_X(p.geom) AS lng, ST_Y(p.geom) AS lat, p.geom
                   FROM patrol_points p JOIN users u ON u.id = p.user_id
                  WHERE p.recorded_at > $2 AND p.recorded_at <= $3
                    AND coalesce(p.unit_grid_code, u.scope_code) LIKE $1 || '%'
                  ORDER BY p.user_id, p.recorded_at DESC) latest
          ORDER BY "distanceM", "userId" LIMIT $6`,
        [scope, new Date(now.getTime() - presenceMs), now, lng, lat, limit],
      );
      return r.rows.map((x) => ({ ...x, at: iso(x.at) }));
    },

    /** Case steps and alarm raises/clears in [from, to), by time; `limit + 1` rows tell truncation. */
    async replay(area: string, from: Date, to: Date, limit: number): Promise<ReplayRow[]> {
      const r = await db.query<ReplayRow>(
        `SELECT * FROM (
           SELECT e.at, 'case' AS kind, c.id::int AS id, e.action, ST_X(c.geom) AS lng, ST_Y(c.geom) AS lat,
                  e.to_status AS status, left(c.category_code, 2) AS major, c.urgency = 'urgent' AS urgent,
                  NULL::text AS severity, c.number, e.id AS seq
             FROM case_events e JOIN cases c ON c.id = e.case_id
            WHERE e.at >= $2 AND e.at < $3 AND c.area_code LIKE $1 || '%'
           UNION ALL
           SELECT ae.at, 'alarm', a.id::int, ae.kind, ST_X(d.location), ST_Y(d.location),
                  NULL, NULL, false, a.severity, NULL, ae.id
             FROM alarm_events ae JOIN alarms a ON a.id = ae.alarm_id JOIN devices d ON d.id = a.device_id
            WHERE ae.kind IN ('raised', 'cleared') AND ae.at >= $2 AND ae.at < $3 AND d.location IS NOT NULL
              AND coalesce(a.area_code, d.unit_grid_code) LIKE $1 || '%'
         ) x ORDER BY at, kind, seq LIMIT $4`,
        [area, from, to, limit + 1],
      );
      return r.rows;
    },

    /**
     * What was on the map at `at`: cases reported before it and not closed, rejected or merged by
     * then (their last step before `at`), and alarms raised before it and not yet cleared; `limit + 1`
     * rows of each tell truncation. Only
     * cases open now or touched since `at` can qualify, which keeps a long history out of the scan.
     */
    async stateAt(
      area: string,
      at: Date,
      limit: number,
    ): Promise<{ cases: ReplayRow[]; alarms: ReplayRow[] }> {
      const cases = await db.query<ReplayRow>(
        `SELECT e.at, 'case' AS kind, c.id::int AS id, e.action, ST_X(c.geom) AS lng, ST_Y(c.geom) AS lat,
                e.to_status AS status, left(c.category_code, 2) AS major, c.urgency = 'urgent' AS urgent,
                NULL::text AS severity, c.number
           FROM cases c
           CROSS JOIN LATERAL (SELECT x.at, x.action, x.to_status FROM case_events x
                                WHERE x.case_id = c.id AND x.at < $2 ORDER BY x.seq DESC LIMIT 1) e
          WHERE c.area_code LIKE $1 || '%' AND c.created_at < $2 AND (${open} OR c.updated_at >= $2)
            AND e.to_status NOT IN ('closed', 'rejected', 'merged')
          ORDER BY c.id LIMIT $3`,
        [area, at, limit + 1],
      );
      const alarms = await db.query<ReplayRow>(
        `SELECT a.raised_at AS at, 'alarm' AS kind, a.id::int AS id, 'raised' AS action,
                ST_X(d.location) AS lng, ST_Y(d.location) AS lat, NULL::text AS status, NULL::text AS major,
                false AS urgent, a.severity, NULL::text AS number
           FROM alarms a JOIN devices d ON d.id = a.device_id
          WHERE a.raised_at < $2 AND (a.cleared_at IS NULL OR a.cleared_at >= $2) AND d.location IS NOT NULL
            AND coalesce(a.area_code, d.unit_grid_code) LIKE $1 || '%'
          ORDER BY a.id LIMIT $3`,
        [area, at, limit + 1],
      );
      return { cases: cases.rows, alarms: alarms.rows };
    },

    async caseForFocus(id: number, now: Date) {
      const r = await db.query<{
        id: number;
        number: string;
        status: string;
        category: string;
        categoryName: string | null;
        urgency: string;
        source: string;
        description: string;
        address: string | null;
        createdAt: Date;
        dueAt: Date | null;
        overdue: boolean;
        lng: number;
        lat: number;
        areaCode: string;
        departmentCode: string | null;
      }>(
        `SELECT c.id::int AS id, c.number, c.status, c.category_code AS category,
                (SELECT name FROM categories k WHERE k.code = c.category_code ORDER BY k.kind LIMIT 1) AS "categoryName",
                c.urgency, c.source, c.description, coalesce(c.address, c.near_address) AS address,
                c.created_at AS "createdAt", c.due_at AS "dueAt",
                coalesce(c.due_at < $2 AND ${open}, false) AS overdue, ST_X(c.geom) AS lng, ST_Y(c.geom) AS lat,
                c.area_code AS "areaCode", c.department_code AS "departmentCode"
           FROM cases c WHERE c.id = $1`,
        [id, now],
      );
      return r.rows[0];
    },

    async caseTimeline(id: number) {
      const r = await db.query<{
        at: Date;
        action: string;
        status: string | null;
        actor: string | null;
        note: string | null;
      }>(
        `SELECT at, action, to_status AS status, coalesce(actor_name, actor_role) AS actor, note
           FROM case_events WHERE case_id = $1 ORDER BY seq`,
        [id],
      );
      return r.rows.map((x) => ({ ...x, at: iso(x.at) }));
    },

    async alarmForFocus(id: number) {
      const r = await db.query<{
        id: number;
        severity: string;
        ruleName: string;
        deviceId: string;
        deviceName: string;
        raisedAt: Date;
        cleared: boolean;
        lastValue: unknown;
        lng: number | null;
        lat: number | null;
        areaCode: string | null;
        caseId: number | null;
        ownerDept: string | null;
        caseCategory: string | null;
      }>(
        `SELECT a.id::int AS id, a.severity, r.name AS "ruleName", a.device_id AS "deviceId", d.name AS "deviceName",
                a.raised_at AS "raisedAt", a.cleared, a.last_value AS "lastValue",
                ST_X(d.location) AS lng, ST_Y(d.location) AS lat,
                coalesce(a.area_code, d.unit_grid_code) AS "areaCode", a.case_id::int AS "caseId",
                d.owner_dept_code AS "ownerDept", r.case_category AS "caseCategory"
           FROM alarms a JOIN rules r ON r.id = a.rule_id JOIN devices d ON d.id = a.device_id WHERE a.id = $1`,
        [id],
      );
      return r.rows[0];
    },

    async alarmTimeline(id: number) {
      const r = await db.query<{ at: Date; action: string; actor: string | null }>(
        `SELECT ae.at, 'alarm.' || ae.kind AS action, u.display_name AS actor
           FROM alarm_events ae LEFT JOIN users u ON u.id = ae.user_id WHERE ae.alarm_id = $1 ORDER BY ae.id`,
        [id],
      );
      return r.rows.map((x) => ({
        at: iso(x.at),
        action: x.action,
        status: null,
        actor: x.actor,
        note: null,
      }));
    },

    async department(code: string) {
      const r = await db.query<{ code: string; name: string; phone: string | null }>(
        'SELECT code, name, phone FROM departments WHERE code = $1',
        [code],
      );
      return r.rows[0] ?? null;
    },
  };
}

export type CommandRepository = ReturnType<typeof commandRepository>;
