/**
 * Patrol tracks (巡查轨迹): the inspector app uploads GPS fixes in batches while on duty; an
 * offline phone replays its queue later, so a point already stored is skipped, not an error.
 */
import type { Location } from '@onegrid/domain';
import type { Principal } from '../auth/auth.service.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { type NewPatrolPoint, patrolRepository } from './patrol.repository.ts';
import type { PatrolPointInput, PatrolTrackJson } from './patrol.schema.ts';

export interface PatrolServiceDeps {
  db: Db;
  clock: () => Date;
  locate: (lng: number, lat: number) => Promise<Location | null>;
}

/** A phone's clock may run a little ahead; a fix from further ahead is wrong, not early. */
export const maxFutureMs = 5 * 60_000;
/** An offline queue holds points for days at most; older ones are someone's stale data. */
export const maxAgeMs = 7 * 24 * 3600_000;
/** One query returns at most this many points (a day of 10-second fixes is 8,640). */
const maxPoints = 20_000;
const readers = ['leader', 'admin', 'dispatcher'] as const;

export interface PointProblem {
  index: number;
  field: 'recordedAt' | 'location';
  message: string;
}

export function patrolService({ db, clock, locate }: PatrolServiceDeps) {
  const repo = patrolRepository(db);
  return {
    /** Validates every point (all problems at once), then stores the batch; nothing is stored on a problem. */
    async upload(
      p: Principal,
      points: readonly PatrolPointInput[],
    ): Promise<{ received: number; stored: number; duplicates: number }> {
      if (p.role !== 'inspector') {
        throw new AppError('forbidden', `Only inspectors upload patrol points; you are ${p.role}`);
      }
      const now = clock().getTime();
      const problems: PointProblem[] = [];
      const rows: NewPatrolPoint[] = [];
      const seen = new Set<number>();
      for (const [index, pt] of points.entries()) {
        const at = new Date(pt.recordedAt);
        const t = at.getTime();
        if (Number.isNaN(t)) {
          problems.push({
            index,
            field: 'recordedAt',
            message: `recordedAt "${pt.recordedAt}" is not a time`,
          });
          continue;
        }
        if (t > now + maxFutureMs) {
          problems.push({
            index,
            field: 'recordedAt',
            message: `recordedAt ${pt.recordedAt} is in the future (server time ${new Date(now).toISOString()}); check the phone's clock`,
          });
          continue;
        }
        if (t < now - maxAgeMs) {
          problems.push({
            index,
            field: 'recordedAt',
            message: `recordedAt ${pt.recordedAt} is more than 7 days old`,
          });
          continue;
        }
        const where = await locate(pt.lng, pt.lat);
        if (!where?.district) {
          problems.push({
            index,
            field: 'location',
            message: `The point (${pt.lng}, ${pt.lat}) is outside the city`,
          });
          continue;
        }
        // The same fix twice in one batch counts as one.
        if (seen.has(t)) continue;
        seen.add(t);
        rows.push({
          recordedAt: at,
          lng: pt.lng,
          lat: pt.lat,
          accuracyM: pt.accuracyM ?? null,
          unitGridCode: where.unitGrid?.code ?? null,
        });
      }
      if (problems.length) {
        const first = problems[0]!;
        throw new AppError(
          'validation_failed',
          problems.length === 1
            ? `Point ${first.index}: ${first.message}`
            : `${problems.length} points are wrong; point ${first.index}: ${first.message}`,
          problems,
        );
      }
      const stored = await repo.insert(p.id, rows);
      return { received: points.length, stored, duplicates: points.length - stored };
    },

    /** An inspector's beat: their duty grids and extent, else the extent of their area. */
    beat: (p: Principal) => repo.beat(p.id, p.scopeCode),

    /** Tracks in [from, to): an inspector their own; leaders, admins, dispatchers anyone's in their area. */
    async tracks(p: Principal, q: { user?: number; from?: string; to?: string }): Promise<PatrolTrackJson[]> {
      let userId = q.user;
      if (p.role === 'inspector') {
        if (userId !== undefined && userId !== p.id) {
          throw new AppError('forbidden', 'Inspectors see their own patrol track only');
        }
        userId = p.id;
      } else if (!(readers as readonly string[]).includes(p.role)) {
        throw new AppError(
          'forbidden',
          `Patrol tracks need one of the roles inspector, ${readers.join(', ')}`,
        );
      }
      const to = q.to ? new Date(q.to) : clock();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - 24 * 3600_000);
      if (from.getTime() >= to.getTime()) {
        throw new AppError('validation_failed', 'from must be before to', { field: 'from' });
      }
      if (to.getTime() - from.getTime() > 31 * 24 * 3600_000) {
        throw new AppError('validation_failed', 'Ask for 31 days at most', { field: 'from' });
      }
      const rows = await repo.tracks({
        ...(userId !== undefined ? { userId } : {}),
        scope: p.role === 'inspector' ? '' : p.scopeCode,
        from,
        to,
        limit: maxPoints,
      });
      const byUser = new Map<number, PatrolTrackJson>();
      for (const r of rows) {
        let t = byUser.get(r.userId);
        if (!t) {
          t = { userId: r.userId, username: r.username, displayName: r.displayName, points: [] };
          byUser.set(r.userId, t);
        }
        t.points.push({
          recordedAt: new Date(r.recordedAt).toISOString(),
          lng: r.lng,
          lat: r.lat,
          accuracyM: r.accuracyM,
          unitGridCode: r.unitGridCode,
        });
      }
      return [...byUser.values()];
    },
  };
}
export type PatrolService = ReturnType<typeof patrolService>;
