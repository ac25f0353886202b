import type { Queryable } from '../db/db.ts';

export interface DispatchProposal {
  ruleId: number;
  departmentCode: string;
  departmentName: string;
  autoDispatch: boolean;
  /** Which rule matched, for the dispatcher's "why". */
  rule: { category: string; areaCode: string };
}

export interface MatrixRule {
  id: number;
  category: string;
  areaCode: string;
  departmentCode: string;
  departmentName: string;
  autoDispatch: boolean;
  note: string | null;
}

/**
 * The responsibility matrix (category × area → department). The most specific area wins, then
 * the most specific category (exact code, then major, then `*`): 分层分级、依责承接.
 */
export function matrixRepository(db: Queryable) {
  return {
    async propose(category: string, areaCode: string): Promise<DispatchProposal | undefined> {
      const r = await db.query<{
        id: number;
        category: string;
        areaCode: string;
        departmentCode: string;
        departmentName: string;
        autoDispatch: boolean;
      }>(
        `SELECT m.id::int AS id, m.category, m.area_code AS "areaCode", m.department_code AS "departmentCode",
           d.name AS "departmentName", m.auto_dispatch AS "autoDispatch"
         FROM responsibility_matrix m JOIN departments d ON d.code = m.department_code AND d.active
         WHERE $2 LIKE m.area_code || '%' AND m.category IN ($1, left($1, 2), '*')
         ORDER BY length(m.area_code) DESC, length(m.category) DESC LIMIT 1`,
        [category, areaCode],
      );
      const m = r.rows[0];
      if (!m) return undefined;
      return {
        ruleId: m.id,
        departmentCode: m.departmentCode,
        departmentName: m.departmentName,
        autoDispatch: m.autoDispatch,
        rule: { category: m.category, areaCode: m.areaCode },
      };
    },
    async departmentExists(code: string): Promise<boolean> {
      return (await db.query('SELECT 1 FROM departments WHERE code = $1 AND active', [code])).rows.length > 0;
    },
    async list(): Promise<MatrixRule[]> {
      const r = await db.query<MatrixRule>(
        `SELECT m.id::int AS id, m.category, m.area_code AS "areaCode", m.department_code AS "departmentCode",
           d.name AS "departmentName", m.auto_dispatch AS "autoDispatch", m.note
         FROM responsibility_matrix m JOIN departments d ON d.code = m.department_code
         ORDER BY m.area_code, m.category`,
      );
      return r.rows;
    },
    /** One rule as stored (for an audit entry's before/after). */
    async find(by: { id: number } | { category: string; areaCode: string }) {
      const r = await db.query<Omit<MatrixRule, 'departmentName'>>(
        `SELECT id::int AS id, category, area_code AS "areaCode", department_code AS "departmentCode",
           auto_dispatch AS "autoDispatch", note
         FROM responsibility_matrix WHERE ${'id' in by ? 'id = $1' : 'category = $1 AND area_code = $2'}`,
        'id' in by ? [by.id] : [by.category, by.areaCode],
      );
      return r.rows[0];
    },
    async upsert(rule: {
      category: string;
      areaCode: string;
      departmentCode: string;
      autoDispatch: boolean;
      note?: string | null;
    }) {
      const r = await db.query<{ id: number }>(
        `INSERT INTO responsibility_matrix (category, area_code, department_code, auto_dispatch, note)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (category, area_code) DO UPDATE SET department_code = EXCLUDED.department_code,
           auto_dispatch = EXCLUDED.auto_dispatch, note = EXCLUDED.note, updated_at = now()
         RETURNING id::int AS id`,
        [rule.category, rule.areaCode, rule.departmentCode, rule.autoDispatch, rule.note ?? null],
      );
      return r.rows[0]!.id;
    },
    async remove(id: number): Promise<boolean> {
      return (await db.query('DELETE FROM responsibility_matrix WHERE id = $1', [id])).rowCount > 0;
    },
  };
}
