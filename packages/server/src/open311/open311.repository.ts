import { terminalStatuses } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';

export interface ServiceRow {
  code: string;
  kind: 'event' | 'component';
  name: string;
  majorName: string;
  hint: string | null;
}

export interface ClientRow {
  id: number;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A case as Open311 shows it: public fields only (no reporter, no contact). */
export interface RequestRow {
  number: string;
  status: string;
  source: string;
  serviceCode: string;
  serviceName: string | null;
  description: string;
  address: string | null;
  agency: string | null;
  lng: number;
  lat: number;
  dueAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  mergedIntoNumber: string | null;
  districtName: string | null;
  streetName: string | null;
  externalIds: Record<string, string>;
}

export interface RequestFilters {
  numbers?: string[] | undefined;
  serviceCodes?: string[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** true: open only; false: closed only; undefined: both. */
  open?: boolean | undefined;
  limit: number;
}

const requestColumns = `c.number, c.status, c.source, c.category_code AS "serviceCode", cat.name AS "serviceName",
  c.description, c.address, d.name AS agency, ST_X(c.geom) AS lng, ST_Y(c.geom) AS lat, c.due_at AS "dueAt",
  c.created_at AS "createdAt", c.updated_at AS "updatedAt", m.number AS "mergedIntoNumber",
  dist.name AS "districtName", st.name AS "streetName", c.external_ids AS "externalIds"`;

const requestFrom = `FROM cases c
  LEFT JOIN LATERAL (SELECT name FROM categories WHERE code = c.category_code AND kind IN ('event', 'component')
    ORDER BY kind = 'event' DESC LIMIT 1) cat ON true
  LEFT JOIN departments d ON d.code = c.department_code
  LEFT JOIN cases m ON m.id = c.merged_into
  LEFT JOIN areas dist ON dist.code = c.district_code
  LEFT JOIN areas st ON st.code = c.street_code`;

export function open311Repository(db: Queryable) {
  return {
    /** The services: active event and component categories of the catalogue. */
    async services(code?: string): Promise<ServiceRow[]> {
      const r = await db.query<ServiceRow>(
        `SELECT code, kind, name, major_name AS "majorName", hint FROM categories
         WHERE kind IN ('event', 'component') AND active ${code === undefined ? '' : 'AND code = $1'}
         ORDER BY CASE kind WHEN 'event' THEN 0 ELSE 1 END, sort_order, code`,
        code === undefined ? [] : [code],
      );
      return r.rows;
    },

    /** When the service list last changed: the discovery document's changeset. */
    async changeset(): Promise<Date> {
      const r = await db.query<{ at: Date | null }>(
        "SELECT max(updated_at) AS at FROM categories WHERE kind IN ('event', 'component')",
      );
      return r.rows[0]?.at ? new Date(r.rows[0].at) : new Date(0);
    },

    async requests(f: RequestFilters): Promise<RequestRow[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (f.numbers) add('c.number = ANY(?::text[])', f.numbers);
      if (f.serviceCodes) add('c.category_code = ANY(?::text[])', f.serviceCodes);
      if (f.from) add('c.created_at >= ?', f.from);
      if (f.to) add('c.created_at <= ?', f.to);
      if (f.open !== undefined) {
        add(`${f.open ? 'NOT ' : ''}(c.status = ANY(?::text[]))`, [...terminalStatuses]);
      }
      params.push(f.limit);
      const r = await db.query<RequestRow>(
        `SELECT ${requestColumns} ${requestFrom} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY c.created_at DESC, c.id DESC LIMIT $${params.length}`,
        params,
      );
      return r.rows;
    },

    async request(number: string): Promise<RequestRow | undefined> {
      const r = await db.query<RequestRow>(`SELECT ${requestColumns} ${requestFrom} WHERE c.number = $1`, [
        number,
      ]);
      return r.rows[0];
    },

    /** A standard address (标准地址) by its id or its exact text, with its WGS-84 point. */
    async address(by: { id: string } | { text: string }) {
      const r = await db.query<{ id: string; address: string; lng: number; lat: number }>(
        `SELECT id::text AS id, address, ST_X(geom) AS lng, ST_Y(geom) AS lat FROM addresses
         WHERE ${'id' in by ? 'id = $1::bigint' : 'address = $1'} LIMIT 1`,
        ['id' in by ? by.id : by.text.trim()],
      );
      return r.rows[0];
    },

    // The apps allowed to POST.

    async createClient(name: string, apiKeyHash: string, at: Date): Promise<ClientRow> {
      const r = await db.query<ClientRow>(
        `INSERT INTO open311_clients (name, api_key_hash, created_at) VALUES ($1, $2, $3)
         RETURNING id::int AS id, name, created_at AS "createdAt", revoked_at AS "revokedAt"`,
        [name, apiKeyHash, at],
      );
      return r.rows[0]!;
    },

    async liveClientNamed(name: string): Promise<boolean> {
      const r = await db.query('SELECT 1 FROM open311_clients WHERE name = $1 AND revoked_at IS NULL', [
        name,
      ]);
      return r.rows.length > 0;
    },

    async clients(): Promise<ClientRow[]> {
      const r = await db.query<ClientRow>(
        `SELECT id::int AS id, name, created_at AS "createdAt", revoked_at AS "revokedAt"
         FROM open311_clients ORDER BY id`,
      );
      return r.rows;
    },

    /** Revokes a key; false when there is no such client. Revoking twice keeps the first time. */
    async revokeClient(id: number, at: Date): Promise<boolean> {
      const r = await db.query(
        'UPDATE open311_clients SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1',
        [id, at],
      );
      return r.rowCount > 0;
    },

    async clientByKeyHash(hash: string): Promise<ClientRow | undefined> {
      const r = await db.query<ClientRow>(
        `SELECT id::int AS id, name, created_at AS "createdAt", revoked_at AS "revokedAt"
         FROM open311_clients WHERE api_key_hash = $1 AND revoked_at IS NULL`,
        [hash],
      );
      return r.rows[0];
    },
  };
}
export type Open311Repository = ReturnType<typeof open311Repository>;
