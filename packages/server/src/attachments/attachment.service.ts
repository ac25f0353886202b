/**
 * Photos and files attached to cases: the type is sniffed from the bytes (a PDF named `.jpg`
 * is refused), the size is capped, EXIF GPS is kept when present, and the file lands on disk
 * under the data dir (configurable) — in server mode too, so the database stays small.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import exifr from 'exifr';
import { fileTypeFromBuffer } from 'file-type';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';

export const photoTypes = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif'] as const;

export interface AttachmentRow {
  id: string;
  caseId: number | null;
  mime: string;
  size: number;
  sha256: string;
  path: string;
  lng: number | null;
  lat: number | null;
  takenAt: Date | null;
  createdBy: string;
  scopeCode: string;
  departmentCode: string | null;
  createdAt: Date;
}

export interface AttachmentDeps {
  db: Queryable;
  dir: string;
  maxBytes: number;
}

export function attachmentService({ db, dir, maxBytes }: AttachmentDeps) {
  return {
    maxBytes,
    async store(bytes: Buffer, owner: { id: string; scopeCode: string }): Promise<AttachmentRow> {
      if (bytes.length === 0) throw new AppError('validation_failed', 'The file is empty', { field: 'file' });
      if (bytes.length > maxBytes) {
        throw new AppError(
          'payload_too_large',
          `The file is ${bytes.length} bytes; the limit is ${maxBytes}`,
        );
      }
      const type = await fileTypeFromBuffer(bytes);
      if (!type || !(photoTypes as readonly string[]).includes(type.mime)) {
        throw new AppError(
          'unsupported_media_type',
          `Only JPEG, PNG, WebP and HEIC photos are accepted; this file is ${type?.mime ?? 'of an unknown type'}`,
        );
      }
      let gps: { lng: number; lat: number } | null = null;
      let takenAt: Date | null = null;
      try {
        const exif = await exifr.parse(bytes, {
          gps: true,
          pick: ['DateTimeOriginal', 'latitude', 'longitude'],
        });
        if (exif && Number.isFinite(exif.longitude) && Number.isFinite(exif.latitude)) {
          gps = { lng: exif.longitude, lat: exif.latitude };
        }
        if (exif?.DateTimeOriginal instanceof Date && !Number.isNaN(exif.DateTimeOriginal.getTime())) {
          takenAt = exif.DateTimeOriginal;
        }
      } catch {
        // A photo without readable EXIF is still a photo.
      }
      const id = crypto.randomUUID();
      const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      const rel = path.join(id.slice(0, 2), `${id}.${type.ext}`);
      const file = path.join(dir, rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, bytes);
      try {
        await db.query(
          `INSERT INTO attachments (id, mime, size, sha256, path, lng, lat, taken_at, created_by, scope_code)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            id,
            type.mime,
            bytes.length,
            sha256,
            rel,
            gps?.lng ?? null,
            gps?.lat ?? null,
            takenAt,
            owner.id,
            owner.scopeCode,
          ],
        );
      } catch (e) {
        await fs.rm(file, { force: true });
        throw e;
      }
      return (await this.get(id))!;
    },

    async get(id: string): Promise<AttachmentRow | undefined> {
      if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
      const r = await db.query<AttachmentRow>(
        `SELECT a.id, a.case_id::int AS "caseId", a.mime, a.size, a.sha256, a.path, a.lng, a.lat, a.taken_at AS "takenAt",
           a.created_by AS "createdBy", coalesce(c.area_code, a.scope_code) AS "scopeCode",
           c.department_code AS "departmentCode", a.created_at AS "createdAt"
         FROM attachments a LEFT JOIN cases c ON c.id = a.case_id WHERE a.id = $1`,
        [id],
      );
      return r.rows[0];
    },

    async read(row: AttachmentRow): Promise<Buffer> {
      return fs.readFile(path.join(dir, row.path));
    },
  };
}
export type AttachmentService = ReturnType<typeof attachmentService>;

/**
 * Links photos named in a report or action to the case. Each must exist and be unclaimed or
 * already on this case; otherwise the whole step fails (nothing half-written).
 */
export async function claimPhotos(tx: Queryable, caseId: number, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const r = await tx.query<{ id: string }>(
    `UPDATE attachments SET case_id = $1 WHERE id = ANY($2::text[]) AND (case_id IS NULL OR case_id = $1) RETURNING id`,
    [caseId, ids],
  );
  if (r.rows.length !== new Set(ids).size) {
    const found = new Set(r.rows.map((x) => x.id));
    const missing = ids.filter((i) => !found.has(i));
    throw new AppError('validation_failed', `Unknown photo(s): ${missing.join(', ')}; upload them first`, {
      field: 'photos',
    });
  }
}
