/** Cameras, detections and each camera's link to its current case per type: the SQL. */
import type { CameraLink } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';

export interface CameraRow {
  id: string;
  name: string;
  lng: number;
  lat: number;
  heading: number | null;
  unitGridCode: string | null;
  areaCode: string;
  streamUrl: string | null;
  status: string;
  lastSeenAt: string | null;
}

const cameraColumns = `id, name, ST_X(geom) AS lng, ST_Y(geom) AS lat, heading, unit_grid_code AS "unitGridCode",
  area_code AS "areaCode", stream_url AS "streamUrl", status, last_seen_at AS "lastSeenAt"`;

export function cameraRepository(q: Queryable) {
  return {
    async upsert(c: Omit<CameraRow, 'lastSeenAt'> & { createdBy: string; at: Date }): Promise<CameraRow> {
      const r = await q.query<CameraRow>(
        `INSERT INTO cameras (id, name, geom, heading, unit_grid_code, area_code, stream_url, status, created_by, created_at, updated_at)
         VALUES ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326), $5, $6, $7, $8, $9, $10, $11, $11)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom, heading = EXCLUDED.heading,
           unit_grid_code = EXCLUDED.unit_grid_code, area_code = EXCLUDED.area_code,
           stream_url = EXCLUDED.stream_url, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
         RETURNING ${cameraColumns}`,
        [
          c.id,
          c.name,
          c.lng,
          c.lat,
          c.heading,
          c.unitGridCode,
          c.areaCode,
          c.streamUrl,
          c.status,
          c.createdBy,
          c.at,
        ],
      );
      return r.rows[0]!;
    },
    async get(id: string): Promise<CameraRow | undefined> {
      const r = await q.query<CameraRow>(`SELECT ${cameraColumns} FROM cameras WHERE id = $1`, [id]);
      return r.rows[0];
    },
    async list(scope: string): Promise<(CameraRow & { openCases: number })[]> {
      const r = await q.query<CameraRow & { openCases: number }>(
        `SELECT ${cameraColumns},
                (SELECT count(*)::int FROM camera_case_links l WHERE l.camera_id = cameras.id AND l.state IN ('open', 'cleared')) AS "openCases"
           FROM cameras WHERE area_code LIKE $1 || '%' ORDER BY id LIMIT 5000`,
        [scope],
      );
      return r.rows;
    },
    async seen(id: string, at: Date) {
      await q.query(
        `UPDATE cameras SET last_seen_at = greatest(coalesce(last_seen_at, $2), $2),
           status = CASE WHEN status = 'offline' THEN 'online' ELSE status END WHERE id = $1`,
        [id, at],
      );
    },
    /** The link of camera and type, locked for this transaction (detections of one pair queue). */
    async lockLink(cameraId: string, type: string): Promise<CameraLink | undefined> {
      const r = await q.query<{
        caseId: number;
        state: CameraLink['state'];
        lastSeenAt: Date;
        closedAt: Date | null;
      }>(
        `SELECT case_id::int AS "caseId", state, last_seen_at AS "lastSeenAt", closed_at AS "closedAt"
           FROM camera_case_links WHERE camera_id = $1 AND type = $2 FOR UPDATE`,
        [cameraId, type],
      );
      const l = r.rows[0];
      return l
        ? { ...l, lastSeenAt: new Date(l.lastSeenAt), closedAt: l.closedAt ? new Date(l.closedAt) : null }
        : undefined;
    },
    async setLink(cameraId: string, type: string, caseId: number, state: CameraLink['state'], at: Date) {
      await q.query(
        `INSERT INTO camera_case_links (camera_id, type, case_id, state, last_seen_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (camera_id, type) DO UPDATE SET case_id = EXCLUDED.case_id, state = EXCLUDED.state,
           last_seen_at = greatest(camera_case_links.last_seen_at, EXCLUDED.last_seen_at),
           cleared_at = NULL, closed_at = NULL, note = NULL`,
        [cameraId, type, caseId, state, at],
      );
    },
    async touch(cameraId: string, type: string, at: Date) {
      await q.query(
        `UPDATE camera_case_links SET last_seen_at = greatest(last_seen_at, $3), state = 'open', cleared_at = NULL
          WHERE camera_id = $1 AND type = $2`,
        [cameraId, type, at],
      );
    },
    async markCleared(cameraId: string, type: string, at: Date) {
      await q.query(
        `UPDATE camera_case_links SET state = 'cleared', cleared_at = $3
          WHERE camera_id = $1 AND type = $2 AND state = 'open'`,
        [cameraId, type, at],
      );
    },
    async markState(
      cameraId: string,
      type: string,
      state: CameraLink['state'],
      at: Date,
      note: string | null,
    ) {
      await q.query(
        `UPDATE camera_case_links SET state = $3, note = $5,
           closed_at = CASE WHEN $3 = 'closed' THEN $4::timestamptz ELSE closed_at END
          WHERE camera_id = $1 AND type = $2`,
        [cameraId, type, state, at, note],
      );
    },
    /** Links whose problem is over or unseen for long enough, with their case's status. */
    async toSettle(): Promise<
      {
        cameraId: string;
        type: string;
        caseId: number;
        state: string;
        lastSeenAt: Date;
        status: string;
        version: number;
      }[]
    > {
      const r = await q.query<{
        cameraId: string;
        type: string;
        caseId: number;
        state: string;
        lastSeenAt: Date;
        status: string;
        version: number;
      }>(
        `SELECT l.camera_id AS "cameraId", l.type, l.case_id::int AS "caseId", l.state,
                l.last_seen_at AS "lastSeenAt", c.status, c.version
           FROM camera_case_links l JOIN cases c ON c.id = l.case_id
          WHERE l.state IN ('open', 'cleared') LIMIT 1000`,
      );
      return r.rows;
    },
    async addDetection(d: {
      cameraId: string;
      ts: Date;
      type: string;
      confidence: number;
      bbox: number[] | null;
      clear: boolean;
      attachmentId: string | null;
      outcome: string;
      caseId: number | null;
    }): Promise<number> {
      const r = await q.query<{ id: number }>(
        `INSERT INTO camera_detections (camera_id, ts, type, confidence, bbox, clear, attachment_id, outcome, case_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::int AS id`,
        [
          d.cameraId,
          d.ts,
          d.type,
          d.confidence,
          d.bbox ? JSON.stringify(d.bbox) : null,
          d.clear,
          d.attachmentId,
          d.outcome,
          d.caseId,
        ],
      );
      return r.rows[0]!.id;
    },
    async detectionsOfCase(caseId: number) {
      const r = await q.query<{
        id: number;
        cameraId: string;
        ts: Date;
        type: string;
        confidence: number;
        bbox: number[] | null;
        clear: boolean;
        attachmentId: string | null;
        outcome: string;
      }>(
        `SELECT id::int AS id, camera_id AS "cameraId", ts, type, confidence, bbox, clear,
                attachment_id AS "attachmentId", outcome
           FROM camera_detections WHERE case_id = $1 ORDER BY ts DESC, id DESC LIMIT 200`,
        [caseId],
      );
      return r.rows;
    },
  };
}
