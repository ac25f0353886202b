import type {
  AlarmFact,
  CaseFact,
  IncidentLevel,
  IncidentStatus,
  OpenIncident,
  ReportKind,
} from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';
import type { IncidentJson, IncidentSummaryJson } from './emergency.schema.ts';

type Row = Omit<IncidentSummaryJson, 'createdAt' | 'activatedAt' | 'stoodDownAt' | 'closedAt'> & {
  createdAt: Date;
  activatedAt: Date | null;
  stoodDownAt: Date | null;
  closedAt: Date | null;
};
export type IncidentRow = Row;

const columns = `i.id::int AS id, i.title, i.incident_type AS "incidentType", i.level::int AS level, i.status,
  i.drill, i.area_code AS "areaCode", a.name AS "areaName", ST_X(i.location) AS lng, ST_Y(i.location) AS lat,
  i.plan_id::int AS "planId", p.name AS "planName", i.proposed_plan_id::int AS "proposedPlanId", i.reason,
  i.created_at AS "createdAt", i.activated_at AS "activatedAt", i.stood_down_at AS "stoodDownAt",
  i.closed_at AS "closedAt", i.version`;
const from = `emergency_incidents i JOIN areas a ON a.code = i.area_code
  LEFT JOIN emergency_plans p ON p.id = COALESCE(i.plan_id, i.proposed_plan_id)`;

export function incidentsRepository(db: Queryable) {
  return {
    async list(q: { scope: string; status?: IncidentStatus; open?: boolean }): Promise<Row[]> {
      const r = await db.query<Row>(
        `SELECT ${columns} FROM ${from}
          WHERE i.area_code LIKE $1 || '%' AND ($2::text IS NULL OR i.status = $2)
            AND (NOT $3 OR i.status IN ('proposed', 'active'))
          ORDER BY i.created_at DESC, i.id DESC LIMIT 500`,
        [q.scope, q.status ?? null, q.open ?? false],
      );
      return r.rows;
    },
    async get(id: number, lock = false): Promise<Row | undefined> {
      const r = await db.query<Row>(
        lock
          ? `SELECT ${columns} FROM ${from} WHERE i.id = $1 FOR UPDATE OF i`
          : `SELECT ${columns} FROM ${from} WHERE i.id = $1`,
        [id],
      );
      return r.rows[0];
    },
    async insert(i: {
      title: string;
      incidentType: string;
      level: IncidentLevel;
      areaCode: string;
      lng: number | null;
      lat: number | null;
      drill: boolean;
      proposedPlanId: number | null;
      reason: string | null;
      createdBy: number | null;
      at: Date;
    }): Promise<number> {
      const r = await db.query<{ id: number }>(
        `INSERT INTO emergency_incidents (title, incident_type, level, status, drill, area_code, location,
                                          proposed_plan_id, reason, created_by, created_at)
         VALUES ($1, $2, $3, 'proposed', $4, $5,
                 CASE WHEN $6::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($6, $7), 4326) END,
                 $8, $9, $10, $11)
         RETURNING id::int AS id`,
        [
          i.title,
          i.incidentType,
          i.level,
          i.drill,
          i.areaCode,
          i.lng,
          i.lat,
          i.proposedPlanId,
          i.reason,
          i.createdBy,
          i.at,
        ],
      );
      return r.rows[0]!.id;
    },
    /** Where to put an incident without a point: the centre of its alarms' devices, else of its area. */
    async placeFromLinks(id: number): Promise<void> {
      await db.query(
        `UPDATE emergency_incidents i SET location = COALESCE(
            (SELECT ST_Centroid(ST_Collect(d.location)) FROM emergency_incident_links l
               JOIN alarms al ON l.kind = 'alarm' AND al.id = l.ref_id JOIN devices d ON d.id = al.device_id
              WHERE l.incident_id = i.id AND d.location IS NOT NULL),
            (SELECT ST_Centroid(ST_Collect(c.geom)) FROM emergency_incident_links l
               JOIN cases c ON l.kind = 'case' AND c.id = l.ref_id WHERE l.incident_id = i.id),
            (SELECT COALESCE(a.center, ST_PointOnSurface(a.geom)) FROM areas a WHERE a.code = i.area_code))
          WHERE i.id = $1 AND i.location IS NULL`,
        [id],
      );
    },
    async update(
      id: number,
      set: Partial<{
        status: IncidentStatus;
        level: IncidentLevel;
        planId: number;
        activatedAt: Date;
        activatedBy: number;
        stoodDownAt: Date;
        closedAt: Date;
      }>,
    ): Promise<void> {
      await db.query(
        `UPDATE emergency_incidents SET status = COALESCE($2, status), level = COALESCE($3, level),
                plan_id = COALESCE($4, plan_id), activated_at = COALESCE($5, activated_at),
                activated_by = COALESCE($6, activated_by), stood_down_at = COALESCE($7, stood_down_at),
                closed_at = COALESCE($8, closed_at), version = version + 1
          WHERE id = $1`,
        [
          id,
          set.status ?? null,
          set.level ?? null,
          set.planId ?? null,
          set.activatedAt ?? null,
          set.activatedBy ?? null,
          set.stoodDownAt ?? null,
          set.closedAt ?? null,
        ],
      );
    },

    /** Links cases and alarms in the scope; returns the ids that do not exist there. */
    async link(
      id: number,
      kind: 'case' | 'alarm',
      refs: readonly number[],
      scope: string,
      at: Date,
    ): Promise<number[]> {
      if (!refs.length) return [];
      const table = kind === 'case' ? 'cases' : 'alarms';
      const found = await db.query<{ id: number }>(
        `SELECT id::int AS id FROM ${table} WHERE id = ANY($1::bigint[]) AND COALESCE(area_code, '') LIKE $2 || '%'`,
        [refs, scope],
      );
      const ok = new Set(found.rows.map((r) => r.id));
      await db.query(
        `INSERT INTO emergency_incident_links (incident_id, kind, ref_id, linked_at)
         SELECT $1, $2, x, $4 FROM unnest($3::bigint[]) AS x ON CONFLICT DO NOTHING`,
        [id, kind, [...ok], at],
      );
      return refs.filter((r) => !ok.has(r));
    },
    async cases(id: number): Promise<IncidentJson['cases']> {
      const r = await db.query<IncidentJson['cases'][number]>(
        `SELECT c.id::int AS id, c.number, c.status, c.category_code AS "categoryCode", ST_X(c.geom) AS lng, ST_Y(c.geom) AS lat
           FROM emergency_incident_links l JOIN cases c ON c.id = l.ref_id
          WHERE l.incident_id = $1 AND l.kind = 'case' ORDER BY c.id`,
        [id],
      );
      return r.rows;
    },
    async alarms(
      id: number,
    ): Promise<(Omit<IncidentJson['alarms'][number], 'raisedAt'> & { raisedAt: Date })[]> {
      const r = await db.query<Omit<IncidentJson['alarms'][number], 'raisedAt'> & { raisedAt: Date }>(
        `SELECT al.id::int AS id, al.device_id AS "deviceId", d.name AS "deviceName", ru.name AS "ruleName",
                al.severity, al.cleared, al.raised_at AS "raisedAt", ST_X(d.location) AS lng, ST_Y(d.location) AS lat
           FROM emergency_incident_links l JOIN alarms al ON al.id = l.ref_id
           JOIN devices d ON d.id = al.device_id JOIN rules ru ON ru.id = al.rule_id
          WHERE l.incident_id = $1 AND l.kind = 'alarm' ORDER BY al.id`,
        [id],
      );
      return r.rows;
    },

    async timeline(id: number, e: { at: Date; actor: string; kind: string; text: string; detail?: object }) {
      await db.query(
        `INSERT INTO emergency_timeline (incident_id, at, actor, kind, text, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, e.at, e.actor, e.kind, e.text, JSON.stringify(e.detail ?? {})],
      );
    },
    async timelineOf(id: number) {
      const r = await db.query<{ at: Date; actor: string; kind: string; text: string }>(
        'SELECT at, actor, kind, text FROM emergency_timeline WHERE incident_id = $1 ORDER BY at, id',
        [id],
      );
      return r.rows;
    },

    async addTasks(
      id: number,
      tasks: readonly { stepNo: number; title: string; departmentCode: string | null; dueAt: Date }[],
    ) {
      for (const t of tasks) {
        await db.query(
          `INSERT INTO emergency_tasks (incident_id, step_no, title, department_code, due_at) VALUES ($1, $2, $3, $4, $5)`,
          [id, t.stepNo, t.title, t.departmentCode, t.dueAt],
        );
      }
    },
    async tasks(id: number) {
      const r = await db.query<{
        id: number;
        stepNo: number;
        title: string;
        departmentCode: string | null;
        departmentName: string | null;
        dueAt: Date;
        status: 'open' | 'done';
        doneAt: Date | null;
        doneBy: string | null;
        feedback: string | null;
      }>(
        `SELECT t.id::int AS id, t.step_no AS "stepNo", t.title, t.department_code AS "departmentCode",
                d.name AS "departmentName", t.due_at AS "dueAt", t.status, t.done_at AS "doneAt",
                u.display_name AS "doneBy", t.feedback
           FROM emergency_tasks t LEFT JOIN departments d ON d.code = t.department_code
           LEFT JOIN users u ON u.id = t.done_by
          WHERE t.incident_id = $1 ORDER BY t.step_no`,
        [id],
      );
      return r.rows;
    },
    async taskDone(
      incidentId: number,
      taskId: number,
      by: number,
      at: Date,
      feedback: string,
    ): Promise<boolean> {
      const r = await db.query(
        `UPDATE emergency_tasks SET status = 'done', done_at = $4, done_by = $3, feedback = $5
          WHERE id = $2 AND incident_id = $1 AND status = 'open'`,
        [incidentId, taskId, by, at, feedback],
      );
      return r.rowCount === 1;
    },

    async addReport(
      id: number,
      r: { kind: ReportKind; toArea: string; dueAt: Date; sentAt: Date; sentBy: number; text: string },
    ) {
      await db.query(
        `INSERT INTO emergency_reports (incident_id, kind, to_area, due_at, sent_at, sent_by, text)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, r.kind, r.toArea, r.dueAt, r.sentAt, r.sentBy, r.text],
      );
    },
    async reports(id: number) {
      const r = await db.query<{
        id: number;
        kind: ReportKind;
        toArea: string;
        toAreaName: string;
        dueAt: Date;
        sentAt: Date;
        sentBy: string | null;
        text: string;
      }>(
        `SELECT r.id::int AS id, r.kind, r.to_area AS "toArea", a.name AS "toAreaName", r.due_at AS "dueAt",
                r.sent_at AS "sentAt", u.display_name AS "sentBy", r.text
           FROM emergency_reports r JOIN areas a ON a.code = r.to_area LEFT JOIN users u ON u.id = r.sent_by
          WHERE r.incident_id = $1 ORDER BY r.sent_at, r.id`,
        [id],
      );
      return r.rows;
    },

    async dispatch(id: number, resourceId: number, by: number, at: Date): Promise<number | null> {
      const r = await db.query<{ distance: number | null }>(
        `INSERT INTO emergency_dispatches (incident_id, resource_id, dispatched_at, dispatched_by, distance_m)
         SELECT $1, $2, $4, $3, ST_Distance(res.location::geography, i.location::geography)
           FROM emergency_incidents i, emergency_resources res WHERE i.id = $1 AND res.id = $2
         RETURNING distance_m AS distance`,
        [id, resourceId, by, at],
      );
      return r.rows[0]?.distance ?? null;
    },
    async dispatches(id: number) {
      const r = await db.query<{
        id: number;
        resourceId: number;
        kind: string;
        name: string;
        lng: number;
        lat: number;
        dispatchedAt: Date;
        distanceM: number | null;
        releasedAt: Date | null;
      }>(
        `SELECT d.id::int AS id, d.resource_id::int AS "resourceId", r.kind, r.name, ST_X(r.location) AS lng,
                ST_Y(r.location) AS lat, d.dispatched_at AS "dispatchedAt", d.distance_m AS "distanceM",
                d.released_at AS "releasedAt"
           FROM emergency_dispatches d JOIN emergency_resources r ON r.id = d.resource_id
          WHERE d.incident_id = $1 ORDER BY d.dispatched_at, d.id`,
        [id],
      );
      return r.rows;
    },
    /** Releases every resource out on the incident (stand-down); they are available again. */
    async releaseAll(id: number, at: Date): Promise<number> {
      const r = await db.query<{ resource_id: number }>(
        `UPDATE emergency_dispatches SET released_at = $2 WHERE incident_id = $1 AND released_at IS NULL
         RETURNING resource_id`,
        [id, at],
      );
      if (r.rowCount) {
        await db.query(
          `UPDATE emergency_resources SET status = 'available', version = version + 1, updated_at = now()
            WHERE id = ANY($1::bigint[]) AND status = 'dispatched'`,
          [r.rows.map((x) => x.resource_id)],
        );
      }
      return r.rowCount;
    },

    // ── What the trigger sweep reads ──
    async alarmFacts(since: Date): Promise<AlarmFact[]> {
      const r = await db.query<AlarmFact>(
        `SELECT al.id::int AS id, al.device_id AS "deviceId", d.type_id AS "deviceType",
                COALESCE(al.area_code, d.unit_grid_code) AS "areaCode", al.raised_at AS "raisedAt", al.cleared
           FROM alarms al JOIN devices d ON d.id = al.device_id
          WHERE al.raised_at >= $1 AND NOT al.cleared`,
        [since],
      );
      return r.rows.map((a) => ({ ...a, raisedAt: new Date(a.raisedAt) }));
    },
    async caseFacts(since: Date): Promise<CaseFact[]> {
      const r = await db.query<CaseFact>(
        `SELECT id::int AS id, category_code AS category, area_code AS "areaCode", created_at AS "reportedAt"
           FROM cases WHERE created_at >= $1 AND merged_into IS NULL`,
        [since],
      );
      return r.rows.map((c) => ({ ...c, reportedAt: new Date(c.reportedAt) }));
    },
    /** Incidents that suppress a new proposal: open ones, and ones ended within `recent`. */
    async blocking(recentSince: Date): Promise<OpenIncident[]> {
      const r = await db.query<OpenIncident>(
        `SELECT COALESCE(plan_id, proposed_plan_id)::int AS "planId", area_code AS "areaCode"
           FROM emergency_incidents
          WHERE status IN ('proposed', 'active')
             OR COALESCE(closed_at, stood_down_at, created_at) >= $1`,
        [recentSince],
      );
      return r.rows;
    },
  };
}
