import type { Db, Queryable } from '../db/db.ts';
import type { MetricDef } from './telemetry.parse.ts';

export type DeviceStatus = 'online' | 'offline' | 'disabled';

export interface DeviceType {
  id: string;
  nameZh: string;
  nameEn: string;
  metrics: MetricDef[];
  expectedIntervalS: number;
  builtin: boolean;
}

export interface Device {
  id: string;
  typeId: string;
  name: string;
  location: { lng: number; lat: number } | null;
  componentId: string | null;
  unitGridCode: string | null;
  ownerDeptCode: string | null;
  status: DeviceStatus;
  lastSeenAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What ingestion needs to know about a device, kept in memory by the directory. */
export interface DeviceAuth {
  id: string;
  typeId: string;
  tokenHash: string;
  status: DeviceStatus;
  unitGridCode: string | null;
}

export interface DeviceFilter {
  /** Area code prefix the caller may see; undefined for the whole city. */
  scope?: string;
  typeId?: string;
  status?: DeviceStatus;
  /** Unit grid / area code prefix asked for. */
  area?: string;
  q?: string;
  limit: number;
  offset: number;
}

export interface DeviceWrite {
  typeId: string;
  name: string;
  location: { lng: number; lat: number } | null;
  componentId: string | null;
  ownerDeptCode: string | null;
  status: DeviceStatus;
}

interface DeviceDbRow {
  id: string;
  type_id: string;
  name: string;
  lng: number | null;
  lat: number | null;
  component_id: string | null;
  unit_grid_code: string | null;
  owner_dept_code: string | null;
  status: DeviceStatus;
  last_seen_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const deviceColumns = `id, type_id, name, ST_X(location) AS lng, ST_Y(location) AS lat, component_id,
  unit_grid_code, owner_dept_code, status, last_seen_at, created_at, updated_at`;

const toDevice = (r: DeviceDbRow): Device => ({
  id: r.id,
  typeId: r.type_id,
  name: r.name,
  location: r.lng === null || r.lat === null ? null : { lng: r.lng, lat: r.lat },
  componentId: r.component_id,
  unitGridCode: r.unit_grid_code,
  ownerDeptCode: r.owner_dept_code,
  status: r.status,
  lastSeenAt: r.last_seen_at ? new Date(r.last_seen_at).toISOString() : null,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

// The unit grid containing the point; on a shared boundary the smallest code wins.
const pointSql = (lng: string, lat: string) => `ST_SetSRID(ST_MakePoint(${lng}, ${lat}), 4326)`;
const gridOfSql = (lng: string, lat: string) =>
  `CASE WHEN ${lng}::float8 IS NULL THEN NULL ELSE (SELECT code FROM unit_grids
     WHERE ST_Intersects(geom, ${pointSql(lng, lat)}) ORDER BY code LIMIT 1) END`;

export function deviceRepository(db: Db) {
  return {
    async listTypes(): Promise<DeviceType[]> {
      const r = await db.query<{
        id: string;
        name_zh: string;
        name_en: string;
        metrics: MetricDef[];
        expected_interval_s: number;
        builtin: boolean;
      }>('SELECT id, name_zh, name_en, metrics, expected_interval_s, builtin FROM device_types ORDER BY id');
      return r.rows.map((x) => ({
        id: x.id,
        nameZh: x.name_zh,
        nameEn: x.name_en,
        metrics: x.metrics,
        expectedIntervalS: x.expected_interval_s,
        builtin: x.builtin,
      }));
    },

    async list(f: DeviceFilter): Promise<{ items: Device[]; total: number }> {
      const where: string[] = [];
      const params: unknown[] = [];
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      if (f.scope !== undefined) where.push(`unit_grid_code LIKE ${p(`${f.scope}%`)}`);
      if (f.area !== undefined) where.push(`unit_grid_code LIKE ${p(`${f.area}%`)}`);
      if (f.typeId !== undefined) where.push(`type_id = ${p(f.typeId)}`);
      if (f.status !== undefined) where.push(`status = ${p(f.status)}`);
      if (f.q !== undefined) where.push(`(id ILIKE ${p(`%${f.q}%`)} OR name ILIKE $${params.length})`);
      const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM devices ${cond}`, params);
      const rows = await db.query<DeviceDbRow>(
        `SELECT ${deviceColumns} FROM devices ${cond} ORDER BY id LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
        params,
      );
      return { items: rows.rows.map(toDevice), total: total.rows[0]?.n ?? 0 };
    },

    /** The unit grid containing a point (smallest code on a shared boundary), if any. */
    async gridAt(lng: number, lat: number): Promise<string | null> {
      const r = await db.query<{ code: string | null }>(`SELECT ${gridOfSql('$1', '$2')} AS code`, [
        lng,
        lat,
      ]);
      return r.rows[0]?.code ?? null;
    },

    async get(id: string, q: Queryable = db): Promise<Device | undefined> {
      const r = await q.query<DeviceDbRow>(`SELECT ${deviceColumns} FROM devices WHERE id = $1`, [id]);
      return r.rows[0] ? toDevice(r.rows[0]) : undefined;
    },

    async insert(id: string, tokenHash: string, w: DeviceWrite): Promise<Device> {
      const r = await db.query<DeviceDbRow>(
        `INSERT INTO devices (id, token_hash, type_id, name, location, unit_grid_code, component_id,
                              owner_dept_code, status)
         VALUES ($1, $2, $3, $4, CASE WHEN $5::float8 IS NULL THEN NULL ELSE ${pointSql('$5', '$6')} END,
                 ${gridOfSql('$5', '$6')}, $7, $8, $9)
         RETURNING ${deviceColumns}`,
        [
          id,
          tokenHash,
          w.typeId,
          w.name,
          w.location?.lng ?? null,
          w.location?.lat ?? null,
          w.componentId,
          w.ownerDeptCode,
          w.status,
        ],
      );
      return toDevice(r.rows[0]!);
    },

    async update(id: string, w: DeviceWrite, tokenHash: string | undefined): Promise<Device | undefined> {
      const r = await db.query<DeviceDbRow>(
        `UPDATE devices SET type_id = $2, name = $3,
                location = CASE WHEN $4::float8 IS NULL THEN NULL ELSE ${pointSql('$4', '$5')} END,
                unit_grid_code = ${gridOfSql('$4', '$5')},
                component_id = $6, owner_dept_code = $7, status = $8,
                token_hash = coalesce($9, token_hash), updated_at = now()
          WHERE id = $1 RETURNING ${deviceColumns}`,
        [
          id,
          w.typeId,
          w.name,
          w.location?.lng ?? null,
          w.location?.lat ?? null,
          w.componentId,
          w.ownerDeptCode,
          w.status,
          tokenHash ?? null,
        ],
      );
      return r.rows[0] ? toDevice(r.rows[0]) : undefined;
    },

    /** The stored hash of the device's token (to put it back if the broker refuses a rotation). */
    async tokenHash(id: string): Promise<string | undefined> {
      const r = await db.query<{ token_hash: string }>('SELECT token_hash FROM devices WHERE id = $1', [id]);
      return r.rows[0]?.token_hash;
    },

    /** Deletes the device with its rule states and alarms; its readings age out with retention. */
    async delete(id: string): Promise<boolean> {
      return db.transaction(async (tx) => {
        await tx.query(
          'DELETE FROM alarm_events WHERE alarm_id IN (SELECT id FROM alarms WHERE device_id = $1)',
          [id],
        );
        await tx.query('DELETE FROM readings_latest WHERE device_id = $1', [id]);
        const r = await tx.query('DELETE FROM devices WHERE id = $1', [id]);
        return r.rowCount > 0;
      });
    },

    /** Devices changed since `since` (all when undefined), for the in-memory directory. */
    async authRows(
      since?: Date,
    ): Promise<{ rows: DeviceAuth[]; maxUpdated: Date | undefined; count: number }> {
      const r = await db.query<{
        id: string;
        type_id: string;
        token_hash: string;
        status: DeviceStatus;
        unit_grid_code: string | null;
        updated_at: Date;
      }>(
        `SELECT id, type_id, token_hash, status, unit_grid_code, updated_at FROM devices
          ${since ? 'WHERE updated_at > $1' : ''}`,
        since ? [since] : [],
      );
      const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM devices');
      let maxUpdated: Date | undefined;
      for (const x of r.rows) {
        const u = new Date(x.updated_at);
        if (!maxUpdated || u > maxUpdated) maxUpdated = u;
      }
      return {
        rows: r.rows.map((x) => ({
          id: x.id,
          typeId: x.type_id,
          tokenHash: x.token_hash,
          status: x.status,
          unitGridCode: x.unit_grid_code,
        })),
        maxUpdated,
        count: count.rows[0]?.n ?? 0,
      };
    },

    /** Records when devices were last heard from and brings them online (never re-enables). */
    async touch(seen: ReadonlyMap<string, number>): Promise<void> {
      if (seen.size === 0) return;
      await db.query(
        `UPDATE devices d SET last_seen_at = greatest(d.last_seen_at, s.ts),
                status = CASE WHEN d.status = 'disabled' THEN d.status ELSE 'online' END
           FROM unnest($1::text[], $2::timestamptz[]) AS s(id, ts) WHERE d.id = s.id`,
        [[...seen.keys()], [...seen.values()].map((t) => new Date(t).toISOString())],
      );
    },

    /** Online devices silent for three expected intervals become offline; returns their ids. */
    async markOffline(now: Date): Promise<string[]> {
      const r = await db.query<{ id: string }>(
        `UPDATE devices d SET status = 'offline'
           FROM device_types t
          WHERE t.id = d.type_id AND d.status = 'online'
            AND (d.last_seen_at IS NULL OR d.last_seen_at < $1::timestamptz - make_interval(secs => 3 * t.expected_interval_s))
          RETURNING d.id`,
        [now],
      );
      return r.rows.map((x) => x.id);
    },
  };
}
export type DeviceRepository = ReturnType<typeof deviceRepository>;
