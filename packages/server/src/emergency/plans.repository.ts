import type { PlanDefinition } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';
import type { PlanBody, PlanJson } from './emergency.schema.ts';

const columns = `id::int AS id, code, name, incident_type AS "incidentType", area_code AS "areaCode",
  level::int AS level, triggers, steps, active, version`;

export function plansRepository(db: Queryable) {
  return {
    /** Plans whose area lies inside `scope` or contains it (a city plan applies to a district). */
    async list(scope: string): Promise<PlanJson[]> {
      const r = await db.query<PlanJson>(
        `SELECT ${columns} FROM emergency_plans
          WHERE area_code LIKE $1 || '%' OR $1 LIKE area_code || '%' ORDER BY id`,
        [scope],
      );
      return r.rows;
    },
    async active(): Promise<PlanDefinition[]> {
      const r = await db.query<PlanDefinition>(
        `SELECT ${columns} FROM emergency_plans WHERE active ORDER BY id`,
      );
      return r.rows;
    },
    async get(id: number, lock = false): Promise<PlanJson | undefined> {
      const r = await db.query<PlanJson>(
        `SELECT ${columns} FROM emergency_plans WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
        [id],
      );
      return r.rows[0];
    },
    async insert(p: PlanBody): Promise<number> {
      const r = await db.query<{ id: number }>(
        `INSERT INTO emergency_plans (code, name, incident_type, area_code, level, triggers, steps, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO NOTHING RETURNING id::int AS id`,
        [
          p.code,
          p.name,
          p.incidentType,
          p.areaCode,
          p.level,
          JSON.stringify(p.triggers),
          JSON.stringify(p.steps),
          p.active ?? true,
        ],
      );
      return r.rows[0]?.id ?? 0;
    },
    async update(id: number, p: PlanBody): Promise<boolean> {
      const r = await db.query(
        `UPDATE emergency_plans SET code = $2, name = $3, incident_type = $4, area_code = $5, level = $6,
                triggers = $7, steps = $8, active = $9, version = version + 1, updated_at = now()
          WHERE id = $1`,
        [
          id,
          p.code,
          p.name,
          p.incidentType,
          p.areaCode,
          p.level,
          JSON.stringify(p.triggers),
          JSON.stringify(p.steps),
          p.active ?? true,
        ],
      );
      return r.rowCount === 1;
    },
    async used(id: number): Promise<boolean> {
      const r = await db.query(
        'SELECT 1 FROM emergency_incidents WHERE plan_id = $1 OR proposed_plan_id = $1 LIMIT 1',
        [id],
      );
      return r.rows.length > 0;
    },
    async delete(id: number): Promise<void> {
      await db.query('DELETE FROM emergency_plans WHERE id = $1', [id]);
    },
    async missingDepartments(codes: readonly string[]): Promise<string[]> {
      if (!codes.length) return [];
      const r = await db.query<{ code: string }>(
        `SELECT c AS code FROM unnest($1::text[]) AS c WHERE NOT EXISTS (SELECT 1 FROM departments d WHERE d.code = c)`,
        [codes],
      );
      return r.rows.map((x) => x.code);
    },
  };
}
