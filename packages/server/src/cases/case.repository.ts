import type { CaseEffect, CaseSnapshot, TimelineEntry } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';
import { caseStep, type StepWrites } from './case.step.ts';
import { currentDeadline } from './snapshot.ts';

/** A case row as lists and details read it. */
export interface CaseRow {
  id: number;
  number: string;
  version: number;
  status: string;
  pending: string | null;
  source: string;
  categoryCode: string;
  categoryName: string | null;
  urgency: 'urgent' | 'normal';
  description: string;
  address: string | null;
  nearAddress: string | null;
  nearAddressM: number | null;
  lng: number;
  lat: number;
  unitGridCode: string | null;
  dutyGridCode: string | null;
  communityCode: string | null;
  streetCode: string | null;
  districtCode: string;
  areaCode: string;
  areaClass: string;
  departmentCode: string | null;
  departmentName: string | null;
  dispatchRuleId: number | null;
  reporterUserId: number | null;
  reporterName: string | null;
  reporterContact: string | null;
  deviceId: string | null;
  externalIds: Record<string, string>;
  mergedInto: number | null;
  currentStep: string | null;
  dueAt: Date | null;
  warnAt: Date | null;
  closeType: string | null;
  closedAt: Date | null;
  snapshot: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export const caseColumns = `c.id::int AS id, c.number, c.version, c.status, c.pending, c.source,
  c.category_code AS "categoryCode", cat.name AS "categoryName", c.urgency, c.description, c.address,
  c.near_address AS "nearAddress", c.near_address_m::float8 AS "nearAddressM",
  ST_X(c.geom) AS lng, ST_Y(c.geom) AS lat, c.unit_grid_code AS "unitGridCode", c.duty_grid_code AS "dutyGridCode",
  c.community_code AS "communityCode", c.street_code AS "streetCode", c.district_code AS "districtCode",
  c.area_code AS "areaCode", c.area_class AS "areaClass", c.department_code AS "departmentCode",
  d.name AS "departmentName", c.dispatch_rule_id::int AS "dispatchRuleId", c.reporter_user_id::int AS "reporterUserId",
  c.reporter_name AS "reporterName", c.reporter_contact AS "reporterContact", c.device_id AS "deviceId",
  c.external_ids AS "externalIds", c.merged_into::int AS "mergedInto", c.current_step AS "currentStep",
  c.due_at AS "dueAt", c.warn_at AS "warnAt", c.close_type AS "closeType", c.closed_at AS "closedAt",
  c.snapshot, c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

export const caseFrom = `FROM cases c
  LEFT JOIN LATERAL (SELECT name FROM categories WHERE code = c.category_code ORDER BY kind = 'event' DESC LIMIT 1) cat ON true
  LEFT JOIN departments d ON d.code = c.department_code`;

/**
 * The standard address nearest to the new case's point ($10, $11), kept on the case (reverse
 * geocoding once, at filing): lists, cards and popups show it without a look-up. Within 300 m,
 * else it would mislead.
 */
const nearest = `(SELECT a.std_text, ST_DistanceSphere(a.geom, ST_SetSRID(ST_MakePoint($10, $11), 4326)) AS m
    FROM (SELECT * FROM addresses ORDER BY geom <-> ST_SetSRID(ST_MakePoint($10, $11), 4326) LIMIT 4) a
    WHERE ST_DistanceSphere(a.geom, ST_SetSRID(ST_MakePoint($10, $11), 4326)) <= 300
    ORDER BY 2, a.code LIMIT 1)`;

export interface NewCaseRow {
  number: string;
  snapshot: CaseSnapshot;
  description: string;
  address: string | null;
  lng: number;
  lat: number;
  unitGridCode: string | null;
  dutyGridCode: string | null;
  communityCode: string | null;
  streetCode: string | null;
  districtCode: string;
  reporterUserId: number | null;
  reporterName: string | null;
  reporterContact: string | null;
  deviceId: string | null;
  externalIds: Record<string, string>;
  at: Date;
}

export interface CaseFilters {
  scope: string;
  departmentCode?: string | undefined;
  status?: string[] | undefined;
  category?: string | undefined;
  area?: string | undefined;
  source?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  overdue?: boolean | undefined;
  warning?: boolean | undefined;
  pending?: string | undefined;
  q?: string | undefined;
  /** Only cases this user reported (the inspector app's "my reports"). */
  reporterUserId?: number | undefined;
  limit: number;
  offset: number;
  now: Date;
}

function snapshotColumns(s: CaseSnapshot) {
  const d = currentDeadline(s);
  return {
    status: s.status,
    pending: s.pendingRequest?.kind ?? null,
    category: s.category,
    urgency: s.urgency,
    areaClass: s.areaClass,
    departmentCode: s.departmentCode,
    mergedInto: s.mergedInto ? Number(s.mergedInto) : null,
    currentStep: d?.step ?? null,
    dueAt: d?.dueAt ?? null,
    warnAt: d?.warnAt ?? null,
    closeType: s.closeType,
    closedAt: s.closedAt,
  };
}

export function caseRepository(db: Queryable) {
  return {
    /** Known and active; with `areaCode`, also usable there (a district's local category only in it). */
    async categoryExists(code: string, areaCode?: string): Promise<boolean> {
      const r = await db.query(
        `SELECT 1 FROM categories WHERE code = $1 AND kind IN ('event', 'component') AND active
            AND ($2::text IS NULL OR owner_area IS NULL OR $2 LIKE owner_area || '%')`,
        [code, areaCode ?? null],
      );
      return r.rows.length > 0;
    },

    async nextSequence(day: string, prefix: string): Promise<number> {
      const r = await db.query<{ seq: number }>(
        `INSERT INTO case_number_counters (day, prefix, seq) VALUES ($1, $2, 1)
         ON CONFLICT (day, prefix) DO UPDATE SET seq = case_number_counters.seq + 1 RETURNING seq`,
        [day, prefix],
      );
      return r.rows[0]!.seq;
    },

    /** The next case id and the next number of the day for `prefix` (locks that counter row). */
    async nextIdAndSequence(day: string, prefix: string): Promise<{ id: number; seq: number }> {
      const r = await db.query<{ id: number; seq: number }>(
        `WITH n AS (
           INSERT INTO case_number_counters (day, prefix, seq) VALUES ($1, $2, 1)
           ON CONFLICT (day, prefix) DO UPDATE SET seq = case_number_counters.seq + 1 RETURNING seq)
         SELECT nextval('cases_id_seq')::int AS id, n.seq FROM n`,
        [day, prefix],
      );
      return r.rows[0]!;
    },

    async nextId(): Promise<number> {
      const r = await db.query<{ id: number }>("SELECT nextval('cases_id_seq')::int AS id");
      return r.rows[0]!.id;
    },

    /** Inserts a new case with its first timeline entry, outbox event and audit entry (case.step.ts). */
    async insertStep(id: number, c: NewCaseRow, writes: StepWrites): Promise<CaseRow> {
      const s = snapshotColumns(c.snapshot);
      const row = await caseStep(
        db,
        {
          sql: `INSERT INTO cases (id, number, status, pending, source, category_code, urgency, description, address, geom,
           unit_grid_code, duty_grid_code, community_code, street_code, district_code, area_code, area_class,
           department_code, reporter_user_id, reporter_name, reporter_contact, device_id, external_ids,
           current_step, due_at, warn_at, snapshot, created_at, updated_at, near_address, near_address_m)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, ST_SetSRID(ST_MakePoint($10, $11), 4326),
           $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $29,
           (SELECT n.std_text FROM ${nearest} n), (SELECT n.m FROM ${nearest} n))
         RETURNING *`,
          params: [
            id,
            c.number,
            s.status,
            s.pending,
            c.snapshot.source,
            s.category,
            s.urgency,
            c.description,
            c.address,
            c.lng,
            c.lat,
            c.unitGridCode,
            c.dutyGridCode,
            c.communityCode,
            c.streetCode,
            c.districtCode,
            c.snapshot.areaCode,
            s.areaClass,
            s.departmentCode,
            c.reporterUserId,
            c.reporterName,
            c.reporterContact,
            c.deviceId,
            JSON.stringify(c.externalIds),
            s.currentStep,
            s.dueAt,
            s.warnAt,
            JSON.stringify(c.snapshot),
            c.at,
          ],
        },
        writes,
      );
      return row!;
    },

    /**
     * Writes the next snapshot if the case is still at `version`, with the step's timeline entry,
     * outbox event and audit entry (case.step.ts); the case after it, or undefined when someone
     * else won (then nothing was written).
     */
    async updateStep(
      id: number,
      version: number,
      next: CaseSnapshot,
      at: Date,
      extra: { dispatchRuleId?: number | null },
      writes: StepWrites,
    ): Promise<CaseRow | undefined> {
      const s = snapshotColumns(next);
      return caseStep(
        db,
        {
          sql: `UPDATE cases SET version = version + 1, status = $3, pending = $4, category_code = $5, urgency = $6,
           area_class = $7, department_code = $8, merged_into = $9, current_step = $10, due_at = $11, warn_at = $12,
           close_type = $13, closed_at = $14, snapshot = $15, updated_at = $16,
           dispatch_rule_id = CASE WHEN $17::boolean THEN $18::bigint ELSE dispatch_rule_id END,
           overdue_flagged = CASE WHEN current_step IS DISTINCT FROM $10 THEN NULL ELSE overdue_flagged END
         WHERE id = $1 AND version = $2
         RETURNING *`,
          params: [
            id,
            version,
            s.status,
            s.pending,
            s.category,
            s.urgency,
            s.areaClass,
            s.departmentCode,
            s.mergedInto,
            s.currentStep,
            s.dueAt,
            s.warnAt,
            s.closeType,
            s.closedAt,
            JSON.stringify(next),
            at,
            'dispatchRuleId' in extra,
            extra.dispatchRuleId ?? null,
          ],
        },
        writes,
      );
    },

    async addEvent(
      caseId: number,
      e: TimelineEntry | (Omit<TimelineEntry, 'action'> & { action: string }),
      effects: readonly CaseEffect[],
      actorName: string | null,
    ): Promise<void> {
      await db.query(
        `INSERT INTO case_events (case_id, seq, action, actor_id, actor_name, actor_role, at, from_status, to_status,
           from_pending, to_pending, note, photos, location, data, effects)
         VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM case_events WHERE case_id = $1), $2, $3, $4, $5, $6, $7, $8,
           $9, $10, $11, $12, CASE WHEN $13::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($13, $14), 4326) END,
           $15, $16)`,
        [
          caseId,
          e.action,
          e.actorId,
          actorName,
          e.actorRole,
          e.at,
          e.fromStatus,
          e.toStatus,
          e.fromPending,
          e.toPending,
          e.note,
          JSON.stringify(e.photos),
          e.location?.lng ?? null,
          e.location?.lat ?? null,
          JSON.stringify(e.data),
          JSON.stringify(effects),
        ],
      );
    },

    async get(id: number): Promise<CaseRow | undefined> {
      const r = await db.query<CaseRow>(`SELECT ${caseColumns} ${caseFrom} WHERE c.id = $1`, [id]);
      return r.rows[0];
    },

    async getByNumber(number: string): Promise<CaseRow | undefined> {
      const r = await db.query<CaseRow>(`SELECT ${caseColumns} ${caseFrom} WHERE c.number = $1`, [number]);
      return r.rows[0];
    },

    async timeline(caseId: number) {
      const r = await db.query<{
        seq: number;
        action: string;
        actorId: string;
        actorName: string | null;
        actorRole: string;
        at: Date;
        fromStatus: string | null;
        toStatus: string;
        fromPending: string | null;
        toPending: string | null;
        note: string | null;
        photos: string[];
        lng: number | null;
        lat: number | null;
        data: Record<string, unknown>;
      }>(
        `SELECT seq, action, actor_id AS "actorId", actor_name AS "actorName", actor_role AS "actorRole", at,
           from_status AS "fromStatus", to_status AS "toStatus", from_pending AS "fromPending",
           to_pending AS "toPending", note, photos, ST_X(location) AS lng, ST_Y(location) AS lat, data
         FROM case_events WHERE case_id = $1 ORDER BY seq`,
        [caseId],
      );
      return r.rows;
    },

    async list(f: CaseFilters): Promise<CaseRow[]> {
      const where: string[] = ['c.area_code LIKE $1'];
      const params: unknown[] = [`${f.scope}%`];
      // Each `?` takes the next value, in order.
      const add = (sql: string, ...values: unknown[]) => {
        let i = 0;
        where.push(
          sql.replace(/\?/g, () => {
            params.push(values[i++]);
            return `$${params.length}`;
          }),
        );
      };
      if (f.departmentCode) add('c.department_code = ?', f.departmentCode);
      if (f.status?.length) add('c.status = ANY(?::text[])', f.status);
      if (f.category) {
        add(f.category.length === 2 ? "c.category_code LIKE ? || '%'" : 'c.category_code = ?', f.category);
      }
      if (f.area) add("c.area_code LIKE ? || '%'", f.area);
      if (f.source) add('c.source = ?', f.source);
      if (f.from) add('c.created_at >= ?', f.from);
      if (f.to) add('c.created_at < ?', f.to);
      if (f.overdue) add('c.due_at < ?', f.now);
      if (f.warning) add('c.warn_at <= ? AND c.due_at >= ?', f.now, f.now);
      if (f.pending) add('c.pending = ?', f.pending);
      if (f.reporterUserId) add('c.reporter_user_id = ?', f.reporterUserId);
      if (f.q) {
        // A case number is looked up by its unique index; anything else searches descriptions.
        if (/^[A-Z]\d{10,}$/.test(f.q)) add('c.number = ?', f.q);
        else add("c.description ILIKE '%' || ? || '%'", f.q);
      }
      params.push(f.limit, f.offset);
      const r = await db.query<CaseRow>(
        `SELECT ${caseColumns} ${caseFrom} WHERE ${where.join(' AND ')}
         ORDER BY c.created_at DESC, c.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
        params,
      );
      return r.rows;
    },

    /** Open cases of the same category near a point, reported within a window (either side). */
    async duplicateCandidates(
      category: string,
      lng: number,
      lat: number,
      radiusM: number,
      from: Date,
      to: Date,
    ) {
      const r = await db.query<{
        id: number;
        number: string;
        status: string;
        lng: number;
        lat: number;
        createdAt: Date;
        deviceId: string | null;
        category: string;
        areaCode: string;
        departmentCode: string | null;
      }>(
        `SELECT c.id::int AS id, c.number, c.status, ST_X(c.geom) AS lng, ST_Y(c.geom) AS lat,
           c.created_at AS "createdAt", c.device_id AS "deviceId", c.category_code AS category,
           c.area_code AS "areaCode", c.department_code AS "departmentCode"
         FROM cases c
         WHERE c.category_code = $1 AND c.status NOT IN ('closed', 'rejected', 'merged')
           AND c.created_at BETWEEN $5 AND $6
           AND ST_DWithin(c.geom::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, $4)
         ORDER BY c.geom <-> ST_SetSRID(ST_MakePoint($2, $3), 4326) LIMIT 20`,
        [category, lng, lat, radiusM, from, to],
      );
      return r.rows;
    },

    async openCaseOfDevice(deviceId: string, category: string): Promise<number | undefined> {
      const r = await db.query<{ id: number }>(
        `SELECT id::int AS id FROM cases WHERE device_id = $1 AND category_code = $2
           AND status NOT IN ('closed', 'rejected', 'merged') ORDER BY id LIMIT 1`,
        [deviceId, category],
      );
      return r.rows[0]?.id;
    },

    async idempotentCase(owner: string, key: string): Promise<number | undefined> {
      const r = await db.query<{ id: number }>(
        'SELECT case_id::int AS id FROM idempotency_keys WHERE owner = $1 AND key = $2',
        [owner, key],
      );
      return r.rows[0]?.id;
    },

    async rememberIdempotency(owner: string, key: string, caseId: number): Promise<void> {
      await db.query('INSERT INTO idempotency_keys (owner, key, case_id) VALUES ($1, $2, $3)', [
        owner,
        key,
        caseId,
      ]);
    },

    /** An action already applied under this idempotency key (an offline phone replaying its queue). */
    async actionKey(owner: string, key: string): Promise<{ caseId: number; action: string } | undefined> {
      const r = await db.query<{ caseId: number; action: string }>(
        'SELECT case_id::int AS "caseId", action FROM case_action_keys WHERE owner = $1 AND key = $2',
        [owner, key],
      );
      return r.rows[0];
    },

    async rememberActionKey(owner: string, key: string, caseId: number, action: string): Promise<void> {
      await db.query('INSERT INTO case_action_keys (owner, key, case_id, action) VALUES ($1, $2, $3, $4)', [
        owner,
        key,
        caseId,
        action,
      ]);
    },

    /** Cases whose running deadline has passed and whose overdue was not yet announced. */
    async newlyOverdue(now: Date, limit = 500) {
      const r = await db.query<{ id: number; step: string; areaCode: string; number: string }>(
        `SELECT id::int AS id, current_step AS step, area_code AS "areaCode", number FROM cases
         WHERE due_at < $1 AND overdue_flagged IS DISTINCT FROM current_step ORDER BY due_at LIMIT $2`,
        [now, limit],
      );
      return r.rows;
    },

    async flagOverdue(id: number, step: string): Promise<void> {
      await db.query('UPDATE cases SET overdue_flagged = $2 WHERE id = $1', [id, step]);
    },
  };
}
export type CaseRepository = ReturnType<typeof caseRepository>;
