import type { DutyLogKind, DutyPost } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';

export interface ShiftRow {
  id: number;
  areaCode: string;
  areaName: string;
  userId: number;
  username: string;
  displayName: string;
  post: DutyPost;
  startsAt: Date;
  endsAt: Date;
  handoverNote: string | null;
  handedOverAt: Date | null;
}

export interface LogRow {
  id: number;
  areaCode: string;
  at: Date;
  userId: number | null;
  displayName: string | null;
  shiftId: number | null;
  kind: DutyLogKind;
  text: string;
  ref: string | null;
}

const shiftColumns = `s.id::int AS id, s.area_code AS "areaCode", a.name AS "areaName",
  s.user_id::int AS "userId", u.username, u.display_name AS "displayName", s.post,
  s.starts_at AS "startsAt", s.ends_at AS "endsAt", s.handover_note AS "handoverNote",
  s.handed_over_at AS "handedOverAt"`;
const shiftFrom = 'duty_shifts s JOIN users u ON u.id = s.user_id JOIN areas a ON a.code = s.area_code';

const logSelect = `SELECT l.id::int AS id, l.area_code AS "areaCode", l.at, l.user_id::int AS "userId",
    u.display_name AS "displayName", l.shift_id::int AS "shiftId", l.kind, l.text, l.ref
  FROM duty_log l LEFT JOIN users u ON u.id = l.user_id`;

export function dutyRepository(db: Queryable) {
  return {
    /** Shifts covering `at` on any of the platforms (active users only), leaders first. */
    async covering(platforms: readonly string[], at: Date): Promise<ShiftRow[]> {
      const r = await db.query<ShiftRow>(
        `SELECT ${shiftColumns} FROM ${shiftFrom}
          WHERE s.area_code = ANY($1::text[]) AND s.starts_at <= $2 AND s.ends_at > $2 AND u.active
          ORDER BY length(s.area_code) DESC, s.post, s.starts_at, s.id`,
        [platforms, at],
      );
      return r.rows;
    },

    /** Shifts overlapping [from, to) on platforms inside `scope` (code prefix). */
    async list(scope: string, from: Date, to: Date): Promise<ShiftRow[]> {
      const r = await db.query<ShiftRow>(
        `SELECT ${shiftColumns} FROM ${shiftFrom}
          WHERE s.area_code LIKE $1 || '%' AND s.starts_at < $3 AND s.ends_at > $2
          ORDER BY s.starts_at, length(s.area_code), s.area_code, s.post, s.id
          LIMIT 2000`,
        [scope, from, to],
      );
      return r.rows;
    },

    async get(id: number): Promise<ShiftRow | undefined> {
      const r = await db.query<ShiftRow>(`SELECT ${shiftColumns} FROM ${shiftFrom} WHERE s.id = $1`, [id]);
      return r.rows[0];
    },

    async area(code: string): Promise<{ code: string; name: string; level: string } | undefined> {
      const r = await db.query<{ code: string; name: string; level: string }>(
        'SELECT code, name, level FROM areas WHERE code = $1',
        [code],
      );
      return r.rows[0];
    },

    async user(id: number): Promise<{ id: number; scopeCode: string; active: boolean } | undefined> {
      const r = await db.query<{ id: number; scopeCode: string; active: boolean }>(
        'SELECT id::int AS id, scope_code AS "scopeCode", active FROM users WHERE id = $1',
        [id],
      );
      return r.rows[0];
    },

    /** Another shift of the same user overlapping [from, to), if any. */
    async overlapping(userId: number, from: Date, to: Date): Promise<number | undefined> {
      const r = await db.query<{ id: number }>(
        `SELECT id::int AS id FROM duty_shifts
          WHERE user_id = $1 AND starts_at < $3 AND ends_at > $2 LIMIT 1`,
        [userId, from, to],
      );
      return r.rows[0]?.id;
    },

    async insert(s: {
      areaCode: string;
      userId: number;
      post: DutyPost;
      startsAt: Date;
      endsAt: Date;
      createdBy: number | null;
    }): Promise<number> {
      const r = await db.query<{ id: number }>(
        `INSERT INTO duty_shifts (area_code, user_id, post, starts_at, ends_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::int AS id`,
        [s.areaCode, s.userId, s.post, s.startsAt, s.endsAt, s.createdBy],
      );
      return r.rows[0]!.id;
    },

    async delete(id: number): Promise<void> {
      await db.query('DELETE FROM duty_shifts WHERE id = $1', [id]);
    },

    /** Sets the handover note once; false when the shift was already handed over. */
    async handover(id: number, note: string, at: Date): Promise<boolean> {
      const r = await db.query(
        `UPDATE duty_shifts SET handover_note = $2, handed_over_at = $3
          WHERE id = $1 AND handed_over_at IS NULL`,
        [id, note, at],
      );
      return r.rowCount === 1;
    },

    async log(e: {
      areaCode: string;
      at: Date;
      userId: number | null;
      shiftId: number | null;
      kind: DutyLogKind;
      text: string;
      ref: string | null;
    }): Promise<number> {
      const r = await db.query<{ id: number }>(
        `INSERT INTO duty_log (area_code, at, user_id, shift_id, kind, text, ref)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::int AS id`,
        [e.areaCode, e.at, e.userId, e.shiftId, e.kind, e.text, e.ref],
      );
      return r.rows[0]!.id;
    },

    async logEntry(id: number): Promise<LogRow | undefined> {
      const r = await db.query<LogRow>(`${logSelect} WHERE l.id = $1`, [id]);
      return r.rows[0];
    },

    async logEntries(scope: string, from: Date, to: Date, limit: number): Promise<LogRow[]> {
      const r = await db.query<LogRow>(
        `${logSelect}
          WHERE l.area_code LIKE $1 || '%' AND l.at >= $2 AND l.at < $3
          ORDER BY l.at DESC, l.id DESC LIMIT $4`,
        [scope, from, to, limit],
      );
      return r.rows;
    },
  };
}
