import type { ResourceKind, ResourceStatus } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';
import type { ResourceBody, ResourceJson } from './emergency.schema.ts';

const columns = `r.id::int AS id, r.kind, r.name, r.area_code AS "areaCode", ST_X(r.location) AS lng,
  ST_Y(r.location) AS lat, r.status, r.capacity, r.stock, r.department_code AS "departmentCode",
  r.contact, r.version,
  (SELECT d.incident_id::int FROM emergency_dispatches d WHERE d.resource_id = r.id AND d.released_at IS NULL) AS "incidentId"`;

export function resourcesRepository(db: Queryable) {
  return {
    async list(q: { scope: string; kind?: ResourceKind; status?: ResourceStatus }): Promise<ResourceJson[]> {
      const r = await db.query<ResourceJson>(
        `SELECT ${columns} FROM emergency_resources r
          WHERE r.area_code LIKE $1 || '%' AND ($2::text IS NULL OR r.kind = $2) AND ($3::text IS NULL OR r.status = $3)
          ORDER BY r.kind, r.id LIMIT 5000`,
        [q.scope, q.kind ?? null, q.status ?? null],
      );
      return r.rows;
    },
    /**
     * The nearest available resources (of a kind) to a point, by the KNN operator on the GiST
     * index (`location <-> point`, planar degrees), with the distance in metres on the spheroid.
     */
    async nearest(q: {
      scope: string;
      lng: number;
      lat: number;
      kind?: ResourceKind;
      limit: number;
    }): Promise<ResourceJson[]> {
      const r = await db.query<ResourceJson>(
        `SELECT ${columns},
                ST_Distance(r.location::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography) AS "distanceM"
           FROM emergency_resources r
          WHERE r.status = 'available' AND r.area_code LIKE $1 || '%' AND ($4::text IS NULL OR r.kind = $4)
          ORDER BY r.location <-> ST_SetSRID(ST_MakePoint($2, $3), 4326)
          LIMIT $5`,
        [q.scope, q.lng, q.lat, q.kind ?? null, q.limit],
      );
      return r.rows;
    },
    async get(id: number, lock = false): Promise<ResourceJson | undefined> {
      const r = await db.query<ResourceJson>(
        `SELECT ${columns} FROM emergency_resources r WHERE r.id = $1${lock ? ' FOR UPDATE' : ''}`,
        [id],
      );
      return r.rows[0];
    },
    async insert(b: ResourceBody): Promise<number> {
      const r = await db.query<{ id: number }>(
        `INSERT INTO emergency_resources (kind, name, area_code, location, status, capacity, stock, department_code, contact)
         VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), $6, $7, $8, $9, $10) RETURNING id::int AS id`,
        [
          b.kind,
          b.name,
          b.areaCode,
          b.lng,
          b.lat,
          b.status ?? 'available',
          b.capacity ?? null,
          JSON.stringify(b.stock ?? []),
          b.departmentCode ?? null,
          b.contact ?? null,
        ],
      );
      return r.rows[0]!.id;
    },
    async update(id: number, b: ResourceBody): Promise<void> {
      await db.query(
        `UPDATE emergency_resources SET kind = $2, name = $3, area_code = $4,
                location = ST_SetSRID(ST_MakePoint($5, $6), 4326), status = COALESCE($7, status), capacity = $8,
                stock = $9, department_code = $10, contact = $11, version = version + 1, updated_at = now()
          WHERE id = $1`,
        [
          id,
          b.kind,
          b.name,
          b.areaCode,
          b.lng,
          b.lat,
          b.status ?? null,
          b.capacity ?? null,
          JSON.stringify(b.stock ?? []),
          b.departmentCode ?? null,
          b.contact ?? null,
        ],
      );
    },
    async setStatus(id: number, status: ResourceStatus): Promise<void> {
      await db.query(
        'UPDATE emergency_resources SET status = $2, version = version + 1, updated_at = now() WHERE id = $1',
        [id, status],
      );
    },
    async everDispatched(id: number): Promise<boolean> {
      const r = await db.query('SELECT 1 FROM emergency_dispatches WHERE resource_id = $1 LIMIT 1', [id]);
      return r.rows.length > 0;
    },
    async delete(id: number): Promise<void> {
      await db.query('DELETE FROM emergency_resources WHERE id = $1', [id]);
    },
  };
}
