import type { Queryable } from '../db/db.ts';

export interface PublicCaseRow {
  id: number;
  number: string;
  status: string;
  categoryCode: string;
  categoryName: string | null;
  districtCode: string;
  districtName: string | null;
  streetCode: string | null;
  streetName: string | null;
  mergedInto: number | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = `c.id::int AS id, c.number, c.status, c.category_code AS "categoryCode", cat.name AS "categoryName",
  c.district_code AS "districtCode", dist.name AS "districtName", c.street_code AS "streetCode",
  st.name AS "streetName", c.merged_into::int AS "mergedInto", c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

const from = `FROM cases c
  LEFT JOIN LATERAL (SELECT name FROM categories WHERE code = c.category_code AND kind IN ('event', 'component')
    ORDER BY kind = 'event' DESC LIMIT 1) cat ON true
  LEFT JOIN areas dist ON dist.code = c.district_code
  LEFT JOIN areas st ON st.code = c.street_code`;

export function publicRepository(db: Queryable) {
  return {
    async byNumber(number: string): Promise<PublicCaseRow | undefined> {
      const r = await db.query<PublicCaseRow>(`SELECT ${columns} ${from} WHERE c.number = $1`, [number]);
      return r.rows[0];
    },

    async byId(id: number): Promise<PublicCaseRow | undefined> {
      const r = await db.query<PublicCaseRow>(`SELECT ${columns} ${from} WHERE c.id = $1`, [id]);
      return r.rows[0];
    },

    /**
     * The changes of status, oldest first: times and statuses only (no actor, no note). The
     * `merged-in` entry a case gets when a duplicate joins it is not a change of its own status.
     */
    /** The last handling of a case: when, the department's note, the after-photos. */
    async lastHandling(
      caseId: number,
    ): Promise<{ at: Date; note: string | null; photos: string[] } | undefined> {
      const r = await db.query<{ at: Date; note: string | null; photos: string[] }>(
        `SELECT at, note, photos FROM case_events WHERE case_id = $1 AND action = 'handle'
          ORDER BY seq DESC LIMIT 1`,
        [caseId],
      );
      return r.rows[0];
    },

    async statusChanges(caseId: number): Promise<{ at: Date; status: string }[]> {
      const r = await db.query<{ at: Date; status: string }>(
        `SELECT at, to_status AS status FROM case_events
         WHERE case_id = $1 AND action <> 'merged-in' AND from_status IS DISTINCT FROM to_status
         ORDER BY seq`,
        [caseId],
      );
      return r.rows;
    },

    /**
     * Of `ids`, those uploaded through the public endpoint and still free — or already on the case
     * this idempotency key filed (a retry names the same photos again).
     */
    async usablePublicPhotos(
      ids: readonly string[],
      owner: string,
      idempotencyKey?: string,
    ): Promise<string[]> {
      const r = await db.query<{ id: string }>(
        `SELECT a.id FROM attachments a
         WHERE a.id = ANY($1::text[]) AND a.created_by = 'public'
           AND (a.case_id IS NULL
             OR a.case_id = (SELECT case_id FROM idempotency_keys WHERE owner = $2 AND key = $3))`,
        [ids, owner, idempotencyKey ?? null],
      );
      return r.rows.map((x) => x.id);
    },

    /** A standard address (标准地址) by its exact text, with its WGS-84 point. */
    async address(text: string): Promise<{ lng: number; lat: number } | undefined> {
      const r = await db.query<{ lng: number; lat: number }>(
        'SELECT ST_X(geom) AS lng, ST_Y(geom) AS lat FROM addresses WHERE address = $1 LIMIT 1',
        [text.trim()],
      );
      return r.rows[0];
    },
  };
}
export type PublicRepository = ReturnType<typeof publicRepository>;
