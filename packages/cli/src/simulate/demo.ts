/**
 * The demo's own sensors: `onegrid serve` registers a few dozen devices in the demo district (once)
 * and runs a light simulation in-process, so readings, alarms and cases happen while people look.
 * Light on purpose: the embedded PGlite is one thread shared with the API.
 */
import type { Db, Logger, Server } from '@onegrid/server';
import { type Kind, kindNames, kinds } from './kinds.ts';
import { pool, type Simulation, simDevices, startSimulation } from './run.ts';

type Principal = Parameters<Server['iot']['devices']['create']>[0];

export async function startDemoSimulation(o: {
  server: Server;
  db: Db;
  log: Logger;
  mqttUrl: string;
  /** Topic prefix of an external broker (`ONEGRID_MQTT_TOPIC_PREFIX`); the embedded one uses `onegrid`. */
  topicPrefix?: string;
  devices?: number;
  /** Seconds between two readings of one device (on average). */
  everySeconds?: number;
  incidentsPerMinute?: number;
}): Promise<Simulation | undefined> {
  const n = o.devices ?? 40;
  const admin = await o.db.query<Principal>(
    `SELECT id::int AS id, username, display_name AS "displayName", role, scope_code AS "scopeCode",
            department_code AS "departmentCode" FROM users WHERE username = 'admin' AND role = 'admin'`,
  );
  const p = admin.rows[0];
  if (!p) return undefined;
  const existing = await o.db.query<{ id: string; type_id: string }>(
    "SELECT id, type_id FROM devices WHERE id LIKE 'demo-%' ORDER BY id",
  );
  let ids: Array<{ id: string; kind: Kind; token: string }>;
  if (existing.rows.length === 0) {
    // One device in each district (the city lives everywhere: alarms in all 16), the rest inside
    // unit grids of the detailed district, so most alarms resolve to a grid and a department.
    const spots = await o.db.query<{ lng: number; lat: number }>(
      `(SELECT ST_X(p.geom) AS lng, ST_Y(p.geom) AS lat
          FROM areas a, ST_Dump(ST_GeneratePoints(a.geom, 1, 11)) p
         WHERE a.level = 'district' AND a.geom IS NOT NULL
           AND a.code <> (SELECT district_code FROM unit_grids ORDER BY district_code LIMIT 1)
         ORDER BY a.code LIMIT $1)
       UNION ALL
       (SELECT ST_X(ST_PointOnSurface(geom)) AS lng, ST_Y(ST_PointOnSurface(geom)) AS lat FROM unit_grids
         WHERE district_code = (SELECT district_code FROM unit_grids ORDER BY district_code LIMIT 1)
         ORDER BY md5(code) LIMIT $1)`,
      [n],
    );
    if (spots.rows.length === 0) return undefined;
    ids = await pool(
      Array.from({ length: n }, (_, i) => i),
      4,
      async (i) => {
        const kind = kinds[i % kinds.length]!;
        const at = spots.rows[i % spots.rows.length]!;
        const seq = String(Math.floor(i / kinds.length) + 1).padStart(2, '0');
        const id = `demo-${kind}-${seq}`;
        const r = await o.server.iot.devices.create(p, {
          id,
          typeId: kind,
          name: `${kindNames[kind]} ${seq} 号（演示）`,
          location: { lng: at.lng, lat: at.lat },
        });
        return { id, kind, token: r.token };
      },
    );
    o.log.info({ category: 'simulator', devices: ids.length }, 'registered the demo devices');
  } else {
    // Tokens are stored hashed: the in-process simulator takes fresh ones at every start.
    ids = await pool(existing.rows, 4, async (d) => {
      const r = await o.server.iot.devices.update(p, d.id, { rotateToken: true, disabled: false });
      return { id: d.id, kind: d.type_id as Kind, token: r.token ?? '' };
    });
  }
  const devices = simDevices(ids, Math.random);
  const every = o.everySeconds ?? 7.5;
  const sim = await startSimulation({
    mqttUrl: o.mqttUrl,
    ...(o.topicPrefix ? { topicPrefix: o.topicPrefix } : {}),
    devices,
    tokens: ids.map((d) => d.token),
    rate: devices.length / every,
    incidentsPerMinute: o.incidentsPerMinute ?? 2,
    random: Math.random,
  });
  o.log.info(
    { category: 'simulator', devices: devices.length, everySeconds: every },
    'demo simulator running (onegrid serve --no-simulator turns it off)',
  );
  return sim;
}
