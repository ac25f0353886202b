/**
 * Citizen reporting (公众举报) without an account: a report enters the same loop as any other
 * (source `public`, verified on site before it is filed), and anyone holding its number can follow
 * it — statuses and times only. Contact details are kept for the staff, masked, and never shown here.
 */
import { type CaseStatus, caseStatusNames, isOpenStatus } from '@onegrid/domain';
import type { AttachmentService } from '../attachments/attachment.service.ts';
import type { CaseService } from '../cases/case.service.ts';
import { categoriesRepository } from '../categories/categories.repository.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { publicText } from '../privacy/present.ts';
import { trackingKeys } from '../privacy/tracking.ts';
import { type PublicCaseRow, publicRepository } from './public.repository.ts';
import type {
  PublicCategory,
  PublicPhoto,
  PublicReportBody,
  PublicReportReceipt,
  PublicReportView,
} from './public.schema.ts';

/** The platform caller for citizen reports; the case service keys idempotency on `system:<name>`. */
export const publicCaller = { system: true, name: 'public' } as const;
const idempotencyOwner = `system:${publicCaller.name}`;
/** Uploads from the public belong to no one's area until a report claims them. */
const publicUploader = { id: 'public', scopeCode: '' };

export interface PublicDeps {
  db: Db;
  cases: CaseService;
  attachments: AttachmentService;
  /** The web app's page that follows a report. */
  trackingUrl?: (number: string, key: string) => string;
}

const names = (status: string) => {
  const n = caseStatusNames[status as CaseStatus];
  return { statusName: n?.zh ?? status, statusNameEn: n?.en ?? status };
};

export function publicService({ db, cases, attachments, trackingUrl }: PublicDeps) {
  const repo = publicRepository(db);
  const track = trackingUrl ?? ((n: string, key: string) => `/track/${encodeURIComponent(n)}?key=${key}`);
  const keys = trackingKeys(db);

  async function tracked(number: string, key: string): Promise<PublicCaseRow> {
    const row = await repo.byNumber(number);
    if (!row || !(await keys.matches(row.number, key))) {
      throw new AppError('not_found', `No report numbered ${number} with that key`);
    }
    return row;
  }

  /**
   * What was done, once the report is closed: when it was handled, the department's note (free
   * text, scrubbed of phone and ID numbers as everything public is) and the after-photos.
   */
  async function result(row: PublicCaseRow): Promise<PublicReportView['result']> {
    if (row.status !== 'closed') return null;
    const h = await repo.lastHandling(row.id);
    if (!h) return null;
    return {
      handledAt: new Date(h.at).toISOString(),
      note: h.note === null ? null : publicText(h.note),
      photos: h.photos,
    };
  }

  const receipt = async (number: string, status: string): Promise<PublicReportReceipt> => {
    const trackingKey = await keys.keyFor(number);
    return {
      number,
      status: status as CaseStatus,
      ...names(status),
      trackingKey,
      trackingUrl: track(number, trackingKey),
    };
  };

  /** Follows merges to the case that carries the report now (a few hops at most). */
  async function survivor(row: PublicCaseRow): Promise<PublicCaseRow | undefined> {
    let current: PublicCaseRow | undefined = row;
    for (let hop = 0; hop < 5 && current?.mergedInto; hop++) {
      const next: PublicCaseRow | undefined = await repo.byId(current.mergedInto);
      if (!next) break;
      current = next;
    }
    return current === row ? undefined : current;
  }

  return {
    async report(body: PublicReportBody): Promise<{ receipt: PublicReportReceipt; replayed: boolean }> {
      const photos = body.photos ?? [];
      if (photos.length) {
        const usable = new Set(await repo.usablePublicPhotos(photos, idempotencyOwner, body.idempotencyKey));
        const missing = photos.filter((p) => !usable.has(p));
        if (missing.length) {
          throw new AppError(
            'validation_failed',
            `Unknown photo(s): ${missing.join(', ')}; upload them first with POST /api/v1/public/attachments`,
            { field: 'photos' },
          );
        }
      }
      let location = body.location;
      if (!location) {
        const found = body.address ? await repo.address(body.address) : undefined;
        if (!found) {
          throw new AppError(
            'validation_failed',
            body.address
              ? `"${body.address}" is not a standard address of the city; put a pin on the map instead`
              : 'Put a pin on the map (location) or give a standard address',
            { field: 'location' },
          );
        }
        location = { ...found, crs: 'wgs84' };
      }
      const r = await cases.report(
        {
          category: body.category,
          description: body.description,
          location,
          address: body.address,
          source: 'public',
          photos,
          idempotencyKey: body.idempotencyKey,
          reporterName: body.contact?.name?.trim() || '市民',
          reporterContact: body.contact?.phone?.replace(/[ -]/g, '') || undefined,
        },
        publicCaller,
      );
      return { receipt: await receipt(r.case.number, r.case.status), replayed: r.replayed };
    },

    /** Number and key, or the same 404 whether the number exists or not. */
    async track(number: string, key: string): Promise<PublicReportView> {
      const row = await tracked(number, key);
      const timeline: PublicReportView['timeline'] = [];
      for (const e of await repo.statusChanges(row.id)) {
        if (timeline.at(-1)?.status === e.status) continue;
        timeline.push({
          at: new Date(e.at).toISOString(),
          status: e.status as CaseStatus,
          ...names(e.status),
        });
      }
      const into = await survivor(row);
      return {
        ...(await receipt(row.number, row.status)),
        open: isOpenStatus(row.status as CaseStatus),
        category: { code: row.categoryCode, name: row.categoryName },
        district: row.districtName ? { code: row.districtCode, name: row.districtName } : null,
        street: row.streetCode && row.streetName ? { code: row.streetCode, name: row.streetName } : null,
        createdAt: new Date(row.createdAt).toISOString(),
        updatedAt: new Date(row.updatedAt).toISOString(),
        timeline,
        mergedInto: into
          ? { number: into.number, status: into.status as CaseStatus, ...names(into.status) }
          : null,
        result: await result(row),
      };
    },

    /** An after-photo of a closed report, for whoever holds its number and key (else 404). */
    async resultPhoto(
      number: string,
      key: string,
      photoId: string,
    ): Promise<{ mime: string; bytes: Buffer }> {
      const row = await tracked(number, key);
      const r = await result(row);
      const a = r?.photos.includes(photoId) ? await attachments.get(photoId) : undefined;
      if (!a) throw new AppError('not_found', `No photo ${photoId} on report ${number}`);
      return { mime: a.mime, bytes: await attachments.read(a) };
    },

    async uploadPhoto(bytes: Buffer): Promise<PublicPhoto> {
      const a = await attachments.store(bytes, publicUploader);
      return { id: a.id, mime: a.mime, size: a.size };
    },

    /** What a citizen may report: the current standard's active matters, with the hints that tell confusable ones apart. */
    async categories(): Promise<PublicCategory[]> {
      const rows = await categoriesRepository(db).list({ active: true });
      return rows
        .filter((c) => c.kind === 'component' || c.kind === 'event')
        .map((c) => ({
          kind: c.kind as 'component' | 'event',
          code: c.code,
          name: c.name,
          majorCode: c.majorCode,
          majorName: c.majorName,
          hint: c.hint,
          confusableWith: c.confusableWith,
        }));
    },

    maxUploadBytes: attachments.maxBytes,
  };
}
export type PublicService = ReturnType<typeof publicService>;
