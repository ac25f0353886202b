/**
 * AI cameras: the registry and the automatic loop (自动识别 → 自动派单 → 人力处置 → 自动结案).
 * A detection opens a case through the case engine (source `camera`: accepted and dispatched by
 * the system), joins the open case of its camera and type within the type's window, clears it
 * (`clear: true`), or reopens the case the system closed within the reopen window. The sweep
 * (scheduler, once) clears what has not been seen for the type's window and closes cleared cases
 * once the department has handled them. Rules per type live in @onegrid/domain (cameras.ts).
 *
 * Detections of one camera and type are taken one at a time in this process; across API
 * processes a retried detection is still filed once (the report's idempotency key).
 */
import {
  type CameraDetectionType,
  cameraTypeRules,
  decideDetection,
  inScope,
  isCameraDetectionType,
} from '@onegrid/domain';
import { claimPhotos } from '../attachments/attachment.service.ts';
import { audit } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { CaseService } from '../cases/case.service.ts';
import type { Db } from '../db/db.ts';
import { AppError, notFound } from '../errors.ts';
import type { GeoService } from '../geo/geo.service.ts';
import type { Logger } from '../logger.ts';
import { type CameraRow, cameraRepository } from './camera.repository.ts';

const caller = { system: true as const, name: '视频智能识别' };
const gone = ['closed', 'rejected', 'merged'];

export interface CameraInput {
  id: string;
  name: string;
  location: { lng: number; lat: number };
  heading?: number | undefined;
  streamUrl?: string | undefined;
  status?: 'online' | 'offline' | 'disabled' | undefined;
}

export interface DetectionInput {
  ts: string;
  type: string;
  confidence: number;
  bbox: number[];
  snapshot?: string | undefined;
  clear?: boolean | undefined;
}

export interface Snapshots {
  store(bytes: Buffer, owner: { id: string; scopeCode: string }): Promise<{ id: string }>;
}

export function cameraService(d: {
  db: Db;
  log: Logger;
  clock: () => Date;
  cases: Pick<CaseService, 'report' | 'act' | 'get'>;
  geo: Pick<GeoService, 'locateWgs84'>;
  snapshots: Snapshots;
}) {
  const { db, clock } = d;
  const log = d.log.child({ category: 'cameras' });
  const chains = new Map<string, Promise<unknown>>();
  /** Runs `fn` after the previous detection of the same camera and type. */
  function serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = chains.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    chains.set(key, tail);
    void tail.then(() => {
      if (chains.get(key) === tail) chains.delete(key);
    });
    return next;
  }

  async function closeCleared(l: {
    cameraId: string;
    type: string;
    caseId: number;
    status: string;
    version: number;
  }) {
    const repo = cameraRepository(db);
    const rule = cameraTypeRules[l.type as CameraDetectionType];
    if (l.status !== 'handled' && l.status !== 'checked') return false;
    let version = l.version;
    if (l.status === 'handled') {
      const v = await d.cases.act(l.caseId, 'verify', caller, {
        version,
        passed: true,
        note: `视频复核：${rule?.zh ?? l.type}已消失，系统自动核查通过`,
      });
      version = v.version;
    }
    await d.cases.act(l.caseId, 'close', caller, { version, note: '视频智能识别自动结案' });
    await repo.markState(l.cameraId, l.type, 'closed', clock(), null);
    log.info({ caseId: l.caseId, camera: l.cameraId }, 'camera case checked and closed by the system');
    return true;
  }

  /** Clears what has not been seen for its window; closes cleared cases that were handled. */
  async function sweep(): Promise<{ cleared: number; closed: number }> {
    const repo = cameraRepository(db);
    const now = clock();
    let cleared = 0;
    let closed = 0;
    for (const l of await repo.toSettle()) {
      const rule = cameraTypeRules[l.type as CameraDetectionType];
      try {
        await serial(`${l.cameraId}\u0000${l.type}`, async () => {
          if (gone.includes(l.status)) {
            await repo.markState(l.cameraId, l.type, 'released', now, `the case was ${l.status} by a person`);
            return;
          }
          let state = l.state;
          if (
            state === 'open' &&
            rule &&
            now.getTime() - new Date(l.lastSeenAt).getTime() >= rule.clearAfterS * 1000
          ) {
            await repo.markCleared(l.cameraId, l.type, now);
            state = 'cleared';
            cleared++;
          }
          if (state === 'cleared' && (await closeCleared(l))) closed++;
        });
      } catch (e) {
        if (e instanceof AppError && e.code === 'stale_version') continue;
        if (e instanceof AppError && e.status < 500) {
          await repo.markState(l.cameraId, l.type, 'released', now, e.message);
          continue;
        }
        log.warn({ err: e, caseId: l.caseId }, 'settling a camera case failed; will retry');
      }
    }
    return { cleared, closed };
  }

  return {
    async register(input: CameraInput, by: { actor: string; scopeCode: string }): Promise<CameraRow> {
      const where = await d.geo.locateWgs84(input.location.lng, input.location.lat);
      if (!where?.district)
        throw new AppError('validation_failed', `The camera's location lies in no district of the city`, {
          field: 'location',
          ...input.location,
        });
      const areaCode = where.unitGrid?.code ?? where.street?.code ?? where.district.code;
      if (!inScope(by.scopeCode, areaCode))
        throw new AppError('forbidden', 'The camera lies outside your area');
      return db.transaction(async (tx) => {
        const existing = await cameraRepository(tx).get(input.id);
        if (existing && !inScope(by.scopeCode, existing.areaCode)) throw notFound('camera', input.id);
        const row = await cameraRepository(tx).upsert({
          id: input.id,
          name: input.name,
          lng: input.location.lng,
          lat: input.location.lat,
          heading: input.heading ?? null,
          unitGridCode: where.unitGrid?.code ?? null,
          areaCode,
          streamUrl: input.streamUrl ?? null,
          status: input.status ?? 'online',
          createdBy: by.actor,
          at: clock(),
        });
        await audit.record(tx, {
          action: 'config.camera',
          object: `camera:${row.id}`,
          details: { before: existing ?? null, after: row },
        });
        return row;
      });
    },
    /** 404 unless the person may see the case. */
    async caseInScope(caseId: number, p: Principal): Promise<void> {
      await d.cases.get(caseId, p);
    },
    list: (scopeCode: string) => cameraRepository(db).list(scopeCode),

    async detect(cameraId: string, input: DetectionInput, scopeCode: string) {
      const camera = await cameraRepository(db).get(cameraId);
      if (!camera || !inScope(scopeCode, camera.areaCode)) throw notFound('camera', cameraId);
      if (!isCameraDetectionType(input.type))
        throw new AppError('validation_failed', `Unknown detection type ${input.type}`, { field: 'type' });
      const ts = new Date(input.ts);
      if (Number.isNaN(ts.getTime()))
        throw new AppError('validation_failed', 'ts is not a time', { field: 'ts' });
      const rule = cameraTypeRules[input.type];
      let attachmentId: string | null = null;
      if (input.snapshot) {
        const b64 = input.snapshot.replace(/^data:[^,]*,/, '');
        const bytes = Buffer.from(b64, 'base64');
        attachmentId = (
          await d.snapshots.store(bytes, { id: `camera:${cameraId}`, scopeCode: camera.areaCode })
        ).id;
      }
      return serial(`${cameraId}\u0000${input.type}`, async () => {
        const repo = cameraRepository(db);
        await repo.seen(cameraId, clock());
        const link = await repo.lockLink(cameraId, input.type);
        const o = decideDetection(
          rule,
          { ts, confidence: input.confidence, clear: input.clear === true },
          link,
        );
        let caseId: number | null = null;
        if (o.kind === 'open') {
          const r = await d.cases.report(
            {
              category: rule.category,
              description: `视频智能识别：${camera.name}发现${rule.zh}（置信度 ${Math.round(input.confidence * 100)}%）`,
              location: { lng: camera.lng, lat: camera.lat, crs: 'wgs84' },
              source: 'camera',
              urgency: rule.urgency,
              photos: attachmentId ? [attachmentId] : [],
              externalIds: { cameraId, detectionType: input.type },
              idempotencyKey: `camera-${cameraId}-${input.type}-${ts.toISOString()}`,
            },
            caller,
          );
          caseId = r.case.status === 'merged' && r.case.mergedInto ? r.case.mergedInto : r.case.id;
          await repo.setLink(cameraId, input.type, caseId, 'open', ts);
        } else if (o.kind === 'join') {
          caseId = o.caseId;
          if (attachmentId) await db.transaction((tx) => claimPhotos(tx, o.caseId, [attachmentId!]));
          await repo.touch(cameraId, input.type, ts);
        } else if (o.kind === 'reopen') {
          caseId = o.caseId;
          const c = await d.cases.get(o.caseId, caller);
          const r = await d.cases.act(o.caseId, 'reopen', caller, {
            version: c.version,
            reason: `视频智能识别：${camera.name}再次发现${rule.zh}`,
          });
          try {
            await d.cases.act(o.caseId, 'auto-dispatch', caller, { version: r.version });
          } catch (e) {
            log.info({ err: (e as Error).message, caseId }, 'the reopened case waits for a dispatcher');
          }
          if (attachmentId) await db.transaction((tx) => claimPhotos(tx, o.caseId, [attachmentId!]));
          await repo.setLink(cameraId, input.type, o.caseId, 'open', ts);
        } else if (o.kind === 'clear') {
          caseId = o.caseId;
          await repo.markCleared(cameraId, input.type, ts);
        }
        await repo.addDetection({
          cameraId,
          ts,
          type: input.type,
          confidence: input.confidence,
          bbox: input.bbox,
          clear: input.clear === true,
          attachmentId,
          outcome: o.kind,
          caseId,
        });
        const c = caseId !== null ? await d.cases.get(caseId, caller) : null;
        return {
          outcome: o.kind,
          case: c ? { id: c.id, number: c.number, status: c.status } : null,
        };
      }).then(async (r) => {
        // A clear may close at once when the department has already handled the case.
        if (r.outcome === 'clear') await sweep();
        const c = r.case ? await d.cases.get(r.case.id, caller) : null;
        return { ...r, case: c ? { id: c.id, number: c.number, status: c.status } : null };
      });
    },
    sweep,
    detectionsOfCase: (caseId: number) => cameraRepository(db).detectionsOfCase(caseId),
  };
}
export type CameraService = ReturnType<typeof cameraService>;
