/**
 * Command-screen data for tests and the e2e screen: inspectors' GPS points, devices with raised
 * alarms (through the alarm service, so the outbox and the SSE stream see them).
 */
import type { Db } from '../db/db.ts';
import type { Server } from '../server.ts';

export async function addPatrolPoints(
  db: Db,
  userId: number,
  points: Array<{ lng: number; lat: number; at: Date }>,
): Promise<void> {
  for (const p of points) {
    await db.query(
      `INSERT INTO patrol_points (user_id, recorded_at, geom, unit_grid_code)
       VALUES ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326),
               (SELECT code FROM unit_grids WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($3, $4), 4326)) LIMIT 1))
       ON CONFLICT (user_id, recorded_at) DO NOTHING`,
      [userId, p.at, p.lng, p.lat],
    );
  }
}

/** A device of a built-in type at a point (its unit grid looked up), without a usable token. */
export async function addDevice(db: Db, id: string, typeId: string, at: { lng: number; lat: number }) {
  await db.query(
    `INSERT INTO devices (id, token_hash, type_id, name, location, unit_grid_code, status)
     VALUES ($1, 'none', $2, coalesce((SELECT name_zh FROM device_types WHERE id = $2), $2) || ' ' || $3, ST_SetSRID(ST_MakePoint($4, $5), 4326),
             (SELECT code FROM unit_grids WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($4, $5), 4326)) LIMIT 1),
             'online')
     ON CONFLICT (id) DO NOTHING`,
    [id, typeId, id, at.lng, at.lat],
  );
}

/** Raises an alarm of the type's first rule of `severity` on the device; resolves with its id. */
export async function raiseAlarm(
  server: Server,
  db: Db,
  deviceId: string,
  severity: 'critical' | 'major' | 'minor' | 'warning',
  at: Date,
): Promise<number> {
  const r = await db.query<{ rule: number; grid: string | null }>(
    `SELECT r.id::int AS rule, d.unit_grid_code AS grid FROM devices d JOIN rules r ON r.device_type_id = d.type_id
      WHERE d.id = $1 ORDER BY (r.severity = $2) DESC, r.id LIMIT 1`,
    [deviceId, severity],
  );
  const row = r.rows[0];
  if (!row) throw new Error(`no rule for device ${deviceId}`);
  server.iot.alarms.raise({
    ruleId: row.rule,
    deviceId,
    severity,
    areaCode: row.grid,
    at,
    value: true,
    detail: null,
  });
  await server.iot.alarms.idle();
  const a = await db.query<{ id: number }>(
    'SELECT id::int AS id FROM alarms WHERE device_id = $1 AND rule_id = $2 AND NOT cleared',
    [deviceId, row.rule],
  );
  return a.rows[0]!.id;
}
