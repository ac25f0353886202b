import type { RuleNode, RuleState } from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import type { Severity } from './alarm.repository.ts';

export interface Rule {
  id: number;
  name: string;
  deviceTypeId: string | null;
  deviceId: string | null;
  condition: RuleNode;
  severity: Severity;
  enabled: boolean;
  /** For the alarm → case link: the matter category and urgency a case from this rule gets. */
  caseCategory: string | null;
  caseUrgency: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface RuleWrite {
  name: string;
  deviceTypeId: string | null;
  deviceId: string | null;
  condition: RuleNode;
  severity: Severity;
  enabled: boolean;
  caseCategory: string | null;
  caseUrgency: string | null;
}

interface RuleDbRow {
  id: number;
  name: string;
  device_type_id: string | null;
  device_id: string | null;
  condition: RuleNode;
  severity: Severity;
  enabled: boolean;
  case_category: string | null;
  case_urgency: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const columns = `id::int AS id, name, device_type_id, device_id, condition, severity, enabled, case_category,
  case_urgency, version, created_at, updated_at`;

const toRule = (r: RuleDbRow): Rule => ({
  id: r.id,
  name: r.name,
  deviceTypeId: r.device_type_id,
  deviceId: r.device_id,
  condition: r.condition,
  severity: r.severity,
  enabled: r.enabled,
  caseCategory: r.case_category,
  caseUrgency: r.case_urgency,
  version: r.version,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

export interface StoredRuleState {
  ruleId: number;
  deviceId: string;
  ruleVersion: number;
  state: RuleState;
}

export function rulesRepository(db: Db) {
  return {
    async list(f: { enabled?: boolean; deviceTypeId?: string; deviceId?: string } = {}): Promise<Rule[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.enabled !== undefined) where.push(`enabled = $${params.push(f.enabled)}`);
      if (f.deviceTypeId !== undefined) where.push(`device_type_id = $${params.push(f.deviceTypeId)}`);
      if (f.deviceId !== undefined) where.push(`device_id = $${params.push(f.deviceId)}`);
      const r = await db.query<RuleDbRow>(
        `SELECT ${columns} FROM rules ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`,
        params,
      );
      return r.rows.map(toRule);
    },

    async get(id: number): Promise<Rule | undefined> {
      const r = await db.query<RuleDbRow>(`SELECT ${columns} FROM rules WHERE id = $1`, [id]);
      return r.rows[0] ? toRule(r.rows[0]) : undefined;
    },

    async insert(w: RuleWrite): Promise<Rule> {
      const r = await db.query<RuleDbRow>(
        `INSERT INTO rules (name, device_type_id, device_id, condition, severity, enabled, case_category, case_urgency)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${columns}`,
        [
          w.name,
          w.deviceTypeId,
          w.deviceId,
          JSON.stringify(w.condition),
          w.severity,
          w.enabled,
          w.caseCategory,
          w.caseUrgency,
        ],
      );
      return toRule(r.rows[0]!);
    },

    /** A changed condition or target is a new version: rule states of the old one are dropped. */
    async update(id: number, w: RuleWrite): Promise<Rule | undefined> {
      const r = await db.query<RuleDbRow>(
        `UPDATE rules SET name = $2, device_type_id = $3, device_id = $4, condition = $5, severity = $6,
                enabled = $7, case_category = $8, case_urgency = $9, updated_at = clock_timestamp(),
                version = version + CASE WHEN condition IS DISTINCT FROM $5::jsonb
                  OR device_type_id IS DISTINCT FROM $3 OR device_id IS DISTINCT FROM $4 THEN 1 ELSE 0 END
          WHERE id = $1 RETURNING ${columns}`,
        [
          id,
          w.name,
          w.deviceTypeId,
          w.deviceId,
          JSON.stringify(w.condition),
          w.severity,
          w.enabled,
          w.caseCategory,
          w.caseUrgency,
        ],
      );
      return r.rows[0] ? toRule(r.rows[0]) : undefined;
    },

    async delete(id: number): Promise<boolean> {
      const r = await db.query('DELETE FROM rules WHERE id = $1', [id]);
      return r.rowCount > 0;
    },

    /** Changes whenever any rule changes, in any process: the engine polls it to reload. */
    async changeMark(): Promise<string> {
      const r = await db.query<{ m: string }>(
        `SELECT coalesce(max(updated_at)::text, '') || '/' || count(*) || '/' || coalesce(sum(version), 0) AS m FROM rules`,
      );
      return r.rows[0]?.m ?? '';
    },

    async loadStates(): Promise<StoredRuleState[]> {
      const r = await db.query<{
        rule_id: number;
        device_id: string;
        rule_version: number;
        state: RuleState;
      }>('SELECT rule_id::int AS rule_id, device_id, rule_version, state FROM rule_states');
      return r.rows.map((x) => ({
        ruleId: x.rule_id,
        deviceId: x.device_id,
        ruleVersion: x.rule_version,
        state: x.state,
      }));
    },

    async saveStates(states: StoredRuleState[]): Promise<void> {
      if (states.length === 0) return;
      // Devices or rules deleted meanwhile are skipped by the joins instead of failing the batch.
      await db.query(
        `INSERT INTO rule_states (rule_id, device_id, rule_version, state, updated_at)
         SELECT s.rule_id, s.device_id, s.v, s.state, now()
           FROM unnest($1::bigint[], $2::text[], $3::int[], $4::jsonb[]) AS s(rule_id, device_id, v, state)
           JOIN rules r ON r.id = s.rule_id JOIN devices d ON d.id = s.device_id
         ON CONFLICT (rule_id, device_id) DO UPDATE SET rule_version = EXCLUDED.rule_version,
           state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
        [
          states.map((s) => s.ruleId),
          states.map((s) => s.deviceId),
          states.map((s) => s.ruleVersion),
          states.map((s) => JSON.stringify(s.state)),
        ],
      );
    },
  };
}
export type RulesRepository = ReturnType<typeof rulesRepository>;
