/**
 * The SQL of geocoding: candidates for many parsed queries in one statement (trigram KNN over
 * the standard texts plus the addresses of the same road), interpolation between the nearest
 * known numbers of a road, and reverse geocoding by KNN.
 */
import type { Queryable } from '../db/db.ts';

/** One typed address, parsed: what the SQL compares. */
export interface ParsedQuery {
  key: string;
  district: string | null;
  street: string | null;
  road: string | null;
  stem: string | null;
  pos: number | null;
  lane: string | null;
  number: string | null;
  building: string | null;
  room: string | null;
}

export interface AddressRow {
  code: string;
  text: string;
  lng: number;
  lat: number;
  street: string | null;
  streetCode: string | null;
  district: string | null;
  districtCode: string | null;
}

export interface ScoredRow extends AddressRow {
  /** Index of the query in the batch. */
  i: number;
  score: number;
  /**
   * On the road asked for, at the number asked for, or the very text or an alias (in the district
   * asked for, if any): no interpolation needed.
   */
  atPosition: boolean;
  /** On the road asked for (in the district asked for, if any). */
  onRoad: boolean;
}

export interface RoadNeighbours {
  i: number;
  lo: (AddressRow & { no: number }) | null;
  hi: (AddressRow & { no: number }) | null;
}

const columns = `a.code, a.std_text AS text, ST_X(a.geom) AS lng, ST_Y(a.geom) AS lat, a.street_name AS street,
  a.street_code AS "streetCode", a.district_name AS district, a.district_code AS "districtCode"`;

const inArea = `($2::text IS NULL OR coalesce(a.unit_grid_code, a.street_code, a.district_code) LIKE $2 || '%')`;

/** The typed text, in standard form, is the address's own or one of its aliases or former names. */
const sameText = `(q.key <> '' AND (' ' || a.search || ' ') LIKE '% ' || q.key || ' %')`;

/** Parts matched plus trigram similarity, 0‥1 (a district named and missed costs 0.2). */
const score = `(
  0.3 * similarity(a.search, q.key)
  + CASE WHEN ${sameText} THEN 0.55 ELSE
      CASE
        WHEN q.road IS NULL THEN 0
        WHEN a.road = q.road THEN 0.25
        WHEN a.road_stem = q.stem THEN 0.18
        ELSE 0 END
      + CASE WHEN q.road IS NOT NULL AND q.pos IS NOT NULL AND a.road_stem = q.stem AND a.road_no = q.pos THEN 0.2 ELSE 0 END
      + CASE WHEN (q.lane IS NOT NULL OR q.number IS NOT NULL OR q.building IS NOT NULL OR q.room IS NOT NULL)
              AND a.lane IS NOT DISTINCT FROM q.lane AND a.number IS NOT DISTINCT FROM q.number
              AND (q.building IS NULL OR a.building = q.building) AND (q.room IS NULL OR a.room = q.room)
             THEN 0.1 ELSE 0 END
    END
  + CASE WHEN q.district IS NULL THEN 0 WHEN a.district_name = q.district THEN 0.1 ELSE -0.2 END
  + CASE WHEN q.street IS NOT NULL AND a.street_name = q.street THEN 0.05 ELSE 0 END
)`;

const queryTable = `unnest($1::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[],
  $9::text[], $10::text[], $11::text[]) WITH ORDINALITY
  AS q(key, district, street, road, stem, pos, lane, number, building, room, i)`;

const params = (qs: ParsedQuery[], area: string | null) => [
  qs.map((q) => q.key),
  area,
  qs.map((q) => q.district),
  qs.map((q) => q.street),
  qs.map((q) => q.road),
  qs.map((q) => q.stem),
  qs.map((q) => q.pos),
  qs.map((q) => q.lane),
  qs.map((q) => q.number),
  qs.map((q) => q.building),
  qs.map((q) => q.room),
];

export function addressRepository(db: Queryable) {
  return {
    /**
     * Candidates for each query, scored, unsorted. `direct`: the addresses of the same road
     * nearest in number, and those whose standard key is the typed one (B-tree lookups);
     * `trigram`: the texts most similar by trigrams above pg_trgm's threshold (GIN), for typos,
     * aliases and names.
     */
    async candidates(
      qs: ParsedQuery[],
      area: string | null,
      mode: 'direct' | 'trigram',
      perSource = 8,
    ): Promise<ScoredRow[]> {
      if (qs.length === 0) return [];
      const sources =
        mode === 'direct'
          ? `(SELECT a.id FROM addresses a WHERE q.stem IS NOT NULL AND a.road_stem = q.stem AND ${inArea}
               ORDER BY (q.district IS NOT NULL AND a.district_name IS DISTINCT FROM q.district),
                        abs(coalesce(a.road_no, 0) - coalesce(q.pos, 0)), a.code
               LIMIT ${perSource})
             UNION
             (SELECT a.id FROM addresses a WHERE q.key <> '' AND a.skey = q.key AND ${inArea}
               ORDER BY (q.district IS NOT NULL AND a.district_name IS DISTINCT FROM q.district), a.code
               LIMIT ${perSource})`
          : `SELECT a.id FROM addresses a WHERE q.key <> '' AND a.search % q.key AND ${inArea}
               ORDER BY similarity(a.search, q.key) DESC, a.code LIMIT ${perSource}`;
      const r = await db.query<ScoredRow>(
        `SELECT (q.i - 1)::int AS i, ${columns}, round(${score}::numeric, 3)::float8 AS score,
           coalesce(((a.road_stem = q.stem AND a.road_no = q.pos) OR ${sameText})
             AND (q.district IS NULL OR a.district_name = q.district), false) AS "atPosition",
           coalesce(a.road_stem = q.stem AND (q.district IS NULL OR a.district_name = q.district), false)
             AS "onRoad"
         FROM ${queryTable}
         CROSS JOIN LATERAL (${sources}) c
         JOIN addresses a ON a.id = c.id`,
        params(qs, area),
      );
      return r.rows;
    },

    /**
     * For queries with a road and a number: the nearest known numbers below and above on the
     * same road (same side — odd or even — first), in the district asked for, else in the
     * district of the one below.
     */
    async roadNeighbours(qs: ParsedQuery[], area: string | null): Promise<RoadNeighbours[]> {
      if (qs.length === 0) return [];
      const side = (dir: '<' | '>') => `LEFT JOIN LATERAL (
           SELECT ${columns}, a.road_no AS no FROM addresses a
           WHERE a.road_stem = q.stem AND a.road_no ${dir} q.pos AND ${inArea}
             AND (q.district IS NULL OR a.district_name = q.district)
             ${dir === '>' ? 'AND (lo.district IS NULL OR a.district_name IS NOT DISTINCT FROM lo.district)' : ''}
           ORDER BY (a.road_no % 2 = q.pos % 2) DESC, a.road_no ${dir === '<' ? 'DESC' : 'ASC'} LIMIT 1
         ) ${dir === '<' ? 'lo' : 'hi'} ON true`;
      const r = await db.query<{ i: number; lo: RoadNeighbours['lo']; hi: RoadNeighbours['hi'] }>(
        `SELECT (q.i - 1)::int AS i,
           CASE WHEN lo.code IS NULL THEN NULL ELSE json_build_object('code', lo.code, 'text', lo.text,
             'lng', lo.lng, 'lat', lo.lat, 'street', lo.street, 'streetCode', lo."streetCode",
             'district', lo.district, 'districtCode', lo."districtCode", 'no', lo.no) END AS lo,
           CASE WHEN hi.code IS NULL THEN NULL ELSE json_build_object('code', hi.code, 'text', hi.text,
             'lng', hi.lng, 'lat', hi.lat, 'street', hi.street, 'streetCode', hi."streetCode",
             'district', hi.district, 'districtCode', hi."districtCode", 'no', hi.no) END AS hi
         FROM ${queryTable}
         ${side('<')}
         ${side('>')}
         WHERE q.stem IS NOT NULL AND q.pos IS NOT NULL`,
        params(qs, area),
      );
      return r.rows;
    },

    /**
     * The nearest standard address to a WGS-84 point, and how far it is in metres. KNN in degrees
     * first (a degree of longitude is shorter than one of latitude), then the true distance.
     */
    async nearest(lng: number, lat: number): Promise<(AddressRow & { metres: number }) | undefined> {
      const r = await db.query<AddressRow & { metres: number }>(
        `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g)
         SELECT ${columns}, round(ST_DistanceSphere(a.geom, p.g)::numeric, 1)::float8 AS metres
         FROM p, LATERAL (SELECT * FROM addresses a ORDER BY a.geom <-> p.g LIMIT 8) a
         ORDER BY metres, a.code LIMIT 1`,
        [lng, lat],
      );
      return r.rows[0];
    },

    /** District names the parser may meet in short form ("浦东" for 浦东新区). */
    async districtNames(): Promise<string[]> {
      const r = await db.query<{ name: string }>(
        `SELECT name FROM areas WHERE level = 'district'
         UNION SELECT DISTINCT district_name FROM addresses WHERE district_name IS NOT NULL`,
      );
      return r.rows.map((x) => x.name);
    },
  };
}

export type AddressRepository = ReturnType<typeof addressRepository>;
