import type { RuleDetail, RuleValue } from '@onegrid/domain';
import type { Db, Queryable } from '../db/db.ts';

export type Severity = 'critical' | 'major' | 'minor' | 'warning';
export const severities = ['critical', 'major', 'minor', 'warning'] as const;

export interface Alarm {
  id: number;
  ruleId: number;
  ruleName: string;
  deviceId: string;
  deviceName: string;
  deviceTypeId: string;
  severity: Severity;
  areaCode: string | null;
  location: { lng: number; lat: number } | null;
  acknowledged: boolean;
  acknowledgedBy: number | null;
  acknowledgedAt: string | null;
  cleared: boolean;
  clearedAt: string | null;
  raisedAt: string;
  updatedAt: string;
  lastValue: RuleValue | null;
  updateCount: number;
  detail: RuleDetail | Record<string, unknown>;
  caseId: number | null;
  caseNumber: string | null;
}

export interface AlarmEvent {
  id: number;
  at: string;
  kind: 'raised' | 'updated' | 'acknowledged' | 'cleared';
  userId: number | null;
  detail: Record<string, unknown>;
}

export interface AlarmFilter {
  scope?: string;
  active?: boolean;
  acknowledged?: boolean;
  severity?: Severity;
  deviceId?: string;
  ruleId?: number;
  limit: number;
  offset: number;
}

interface AlarmDbRow {
  id: number;
  rule_id: number;
  rule_name: string;
  device_id: string;
  device_name: string;
  type_id: string;
  severity: Severity;
  area_code: string | null;
  lng: number | null;
  lat: number | null;
  acknowledged: boolean;
  acknowledged_by: number | null;
  acknowledged_at: Date | null;
  cleared: boolean;
  cleared_at: Date | null;
  raised_at: Date;
  updated_at: Date;
  last_value: RuleValue | null;
  update_count: number;
  detail: Record<string, unknown>;
  case_id: number | null;
  case_number: string | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

const selectAlarm = `SELECT a.id::int AS id, a.rule_id::int AS rule_id, r.name AS rule_name, a.device_id,
  d.name AS device_name, d.type_id, a.severity, d.unit_grid_code AS area_code, ST_X(d.location) AS lng, ST_Y(d.location) AS lat,
  a.acknowledged, a.acknowledged_by::int AS acknowledged_by, a.acknowledged_at, a.cleared, a.cleared_at,
  a.raised_at, a.updated_at, a.last_value, a.update_count, a.detail, a.case_id::int AS case_id, c.number AS case_number
  FROM alarms a JOIN rules r ON r.id = a.rule_id JOIN devices d ON d.id = a.device_id
  LEFT JOIN cases c ON c.id = a.case_id`;

const toAlarm = (r: AlarmDbRow): Alarm => ({
  id: r.id,
  ruleId: r.rule_id,
  ruleName: r.rule_name,
  deviceId: r.device_id,
  deviceName: r.device_name,
  deviceTypeId: r.type_id,
  severity: r.severity,
  areaCode: r.area_code,
  location: r.lng === null || r.lat === null ? null : { lng: r.lng, lat: r.lat },
  acknowledged: r.acknowledged,
  acknowledgedBy: r.acknowledged_by,
  acknowledgedAt: iso(r.acknowledged_at),
  cleared: r.cleared,
  clearedAt: iso(r.cleared_at),
  raisedAt: new Date(r.raised_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
  lastValue: r.last_value,
  updateCount: r.update_count,
  detail: r.detail,
  caseId: r.case_id,
  caseNumber: r.case_number,
});

export interface RaiseInput {
  ruleId: number;
  deviceId: string;
  severity: Severity;
  areaCode: string | null;
  at: Date;
  value: RuleValue | null;
  detail: RuleDetail | null;
}

export function alarmRepository(db: Db) {
  const repo = {
    async get(id: number, q: Queryable = db): Promise<Alarm | undefined> {
      const r = await q.query<AlarmDbRow>(`${selectAlarm} WHERE a.id = $1`, [id]);
      return r.rows[0] ? toAlarm(r.rows[0]) : undefined;
    },

    async list(f: AlarmFilter): Promise<{ items: Alarm[]; total: number }> {
      const where: string[] = [];
      const params: unknown[] = [];
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      // Scope follows the device's unit grid, as for the devices themselves.
      if (f.scope !== undefined) where.push(`d.unit_grid_code LIKE ${p(`${f.scope}%`)}`);
      if (f.active !== undefined) where.push(f.active ? 'NOT a.cleared' : 'a.cleared');
      if (f.acknowledged !== undefined) where.push(`a.acknowledged = ${p(f.acknowledged)}`);
      if (f.severity !== undefined) where.push(`a.severity = ${p(f.severity)}`);
      if (f.deviceId !== undefined) where.push(`a.device_id = ${p(f.deviceId)}`);
      if (f.ruleId !== undefined) where.push(`a.rule_id = ${p(f.ruleId)}`);
      const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM alarms a JOIN devices d ON d.id = a.device_id ${cond}`,
        params,
      );
      const rows = await db.query<AlarmDbRow>(
        `${selectAlarm} ${cond} ORDER BY a.raised_at DESC, a.id DESC LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
        params,
      );
      return { items: rows.rows.map(toAlarm), total: total.rows[0]?.n ?? 0 };
    },

    async events(alarmId: number): Promise<AlarmEvent[]> {
      const r = await db.query<{
        id: number;
        at: Date;
        kind: AlarmEvent['kind'];
        user_id: number | null;
        detail: Record<string, unknown>;
      }>(
        'SELECT id::int AS id, at, kind, user_id::int AS user_id, detail FROM alarm_events WHERE alarm_id = $1 ORDER BY id',
        [alarmId],
      );
      return r.rows.map((x) => ({
        id: x.id,
        at: new Date(x.at).toISOString(),
        kind: x.kind,
        userId: x.user_id,
        detail: x.detail,
      }));
    },

    /**
     * Opens the alarm of (device, rule), or — when one is already active, e.g. a raise replayed
     * after a restart — counts an update on it. The partial unique index is the real guard.
     */
    async raise(tx: Queryable, a: RaiseInput): Promise<{ id: number; created: boolean }> {
      const r = await tx.query<{ id: number; created: boolean }>(
        `INSERT INTO alarms AS x (rule_id, device_id, severity, area_code, raised_at, updated_at, last_value, detail)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7)
         ON CONFLICT (device_id, rule_id) WHERE NOT cleared DO UPDATE
           SET updated_at = greatest(x.updated_at, EXCLUDED.updated_at), update_count = x.update_count + 1,
               last_value = EXCLUDED.last_value
         RETURNING id::int AS id, (xmax = 0) AS created`,
        [
          a.ruleId,
          a.deviceId,
          a.severity,
          a.areaCode,
          a.at,
          JSON.stringify(a.value),
          JSON.stringify(a.detail ?? {}),
        ],
      );
      const row = r.rows[0]!;
      await repo.event(tx, row.id, a.at, row.created ? 'raised' : 'updated', null, {
        ...a.detail,
        value: a.value,
      });
      return row;
    },

    async clear(
      tx: Queryable,
      ruleId: number,
      deviceId: string,
      at: Date,
      value: RuleValue | null,
      detail: RuleDetail | Record<string, unknown> | null,
    ): Promise<number | undefined> {
      const r = await tx.query<{ id: number }>(
        `UPDATE alarms SET cleared = true, cleared_at = $3, updated_at = greatest(updated_at, $3),
                last_value = coalesce($4::jsonb, last_value)
          WHERE rule_id = $1 AND device_id = $2 AND NOT cleared RETURNING id::int AS id`,
        [ruleId, deviceId, at, value === null ? null : JSON.stringify(value)],
      );
      const id = r.rows[0]?.id;
      if (id !== undefined) await repo.event(tx, id, at, 'cleared', null, { ...detail, value });
      return id;
    },

    /** Coalesced updates of active alarms: latest value and how many readings kept them up. */
    async applyUpdates(
      updates: Array<{ ruleId: number; deviceId: string; at: Date; value: RuleValue | null; count: number }>,
    ): Promise<void> {
      if (updates.length === 0) return;
      await db.query(
        `UPDATE alarms a SET last_value = u.value, updated_at = greatest(a.updated_at, u.at),
                update_count = a.update_count + u.n
           FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::jsonb[], $5::int[]) AS u(rule_id, device_id, at, value, n)
          WHERE a.rule_id = u.rule_id AND a.device_id = u.device_id AND NOT a.cleared`,
        [
          updates.map((u) => u.ruleId),
          updates.map((u) => u.deviceId),
          updates.map((u) => u.at.toISOString()),
          updates.map((u) => JSON.stringify(u.value)),
          updates.map((u) => u.count),
        ],
      );
    },

    async acknowledge(tx: Queryable, id: number, userId: number, at: Date): Promise<boolean> {
      const r = await tx.query(
        `UPDATE alarms SET acknowledged = true, acknowledged_by = $2, acknowledged_at = $3,
                updated_at = greatest(updated_at, $3)
          WHERE id = $1 AND NOT acknowledged`,
        [id, userId, at],
      );
      if (r.rowCount > 0) await repo.event(tx, id, at, 'acknowledged', userId, {});
      return r.rowCount > 0;
    },

    async event(
      tx: Queryable,
      alarmId: number,
      at: Date,
      kind: AlarmEvent['kind'],
      userId: number | null,
      detail: Record<string, unknown>,
    ) {
      await tx.query(
        'INSERT INTO alarm_events (alarm_id, at, kind, user_id, detail) VALUES ($1, $2, $3, $4, $5)',
        [alarmId, at, kind, userId, JSON.stringify(detail)],
      );
    },

    /** (rule, device) pairs with an active alarm: the rules engine's truth after a restart. */
    async activeKeys(): Promise<Array<{ ruleId: number; deviceId: string }>> {
      const r = await db.query<{ rule_id: number; device_id: string }>(
        'SELECT rule_id::int AS rule_id, device_id FROM alarms WHERE NOT cleared',
      );
      return r.rows.map((x) => ({ ruleId: x.rule_id, deviceId: x.device_id }));
    },
  };
  return repo;
}
export type AlarmRepository = ReturnType<typeof alarmRepository>;
