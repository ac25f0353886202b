/**
 * 值班值守: rosters per duty platform (city, district, street), who is on duty now, handovers and
 * the duty log. `dutyNow(db, area)` is the one call other modules use (escalation, notifications,
 * plans proposed to the person on duty): it walks up the area tree to the nearest platform with
 * someone on shift.
 */
import { dutyPlatformChain, inScope, levelOfCode, resolveDuty, shiftProblems } from '@onegrid/domain';
import { audit } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { Db, Queryable } from '../db/db.ts';
import { AppError, badRequest, forbidden, notFound } from '../errors.ts';
import { emit } from '../events/outbox.ts';
import { dutyRepository, type LogRow, type ShiftRow } from './duty.repository.ts';
import type {
  DutyLogEntryJson,
  DutyNowJson,
  DutyShiftJson,
  LogQuery,
  NewLogBody,
  NewShiftBody,
  ShiftsQuery,
} from './duty.schema.ts';

const iso = (d: Date | string) => new Date(d).toISOString();

export function shiftJson(s: ShiftRow): DutyShiftJson {
  return {
    ...s,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    handedOverAt: s.handedOverAt ? iso(s.handedOverAt) : null,
  };
}

function logJson(e: LogRow): DutyLogEntryJson {
  return { ...e, at: iso(e.at) };
}

/**
 * Who is on duty for `areaCode` at `at` (default now): the nearest platform up the area tree
 * (street → district → city) with someone on shift, and those people, leaders in charge first.
 * `platform` is null when nobody up the tree is on duty. Throws a 400 for a code that is not an
 * area code. Reads only; callers outside a request (escalation jobs) use it as is.
 */
export async function dutyNow(q: Queryable, areaCode: string, at: Date = new Date()): Promise<DutyNowJson> {
  const chain = dutyPlatformChain(areaCode);
  if (!chain) throw badRequest(`area ${areaCode} is not an area code`);
  const repo = dutyRepository(q);
  const found = resolveDuty(areaCode, await repo.covering(chain, at), at);
  if (!found) return { area: areaCode, platform: null, onDuty: [] };
  const area = await repo.area(found.platform);
  return {
    area: areaCode,
    platform: {
      code: found.platform,
      name: area?.name ?? found.platform,
      level: area?.level ?? levelOfCode(found.platform) ?? 'city',
    },
    onDuty: found.shifts.map(shiftJson),
  };
}

export interface DutyServiceDeps {
  db: Db;
  clock: () => Date;
}

export function dutyService({ db, clock }: DutyServiceDeps) {
  const repo = dutyRepository(db);
  const window = (q: { from?: string; to?: string }, defaultHours: [number, number]) => {
    const now = clock().getTime();
    const to = q.to ? new Date(q.to) : new Date(now + defaultHours[1] * 3600_000);
    const from = q.from ? new Date(q.from) : new Date(now - defaultHours[0] * 3600_000);
    if (to <= from) throw badRequest('to must be after from');
    if (to.getTime() - from.getTime() > 93 * 24 * 3600_000) throw badRequest('at most 93 days at a time');
    return { from, to };
  };
  const scopeOf = (p: Principal, area: string | undefined) => {
    const code = area ?? p.scopeCode;
    if (!inScope(p, code)) throw forbidden(`Area ${code} is outside your scope ${p.scopeCode}`);
    return code;
  };
  return {
    /** Who is on duty now for an area in the caller's scope (default: the caller's own area). */
    async now(p: Principal, area?: string): Promise<DutyNowJson> {
      return dutyNow(db, scopeOf(p, area), clock());
    },

    async shifts(p: Principal, q: ShiftsQuery): Promise<DutyShiftJson[]> {
      const { from, to } = window(q, [24, 7 * 24]);
      return (await repo.list(scopeOf(p, q.area), from, to)).map(shiftJson);
    },

    async addShift(p: Principal, body: NewShiftBody): Promise<DutyShiftJson> {
      const s = { areaCode: body.areaCode, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt) };
      const problems = shiftProblems(s);
      if (problems.length) throw badRequest(problems.join('; '), problems);
      scopeOf(p, body.areaCode);
      if (!(await repo.area(body.areaCode))) throw notFound('area', body.areaCode);
      const user = await repo.user(body.userId);
      if (!user?.active) throw notFound('user', body.userId);
      if (!inScope(user.scopeCode, body.areaCode)) {
        throw badRequest(
          `user ${body.userId} (scope ${user.scopeCode}) does not cover platform ${body.areaCode}`,
        );
      }
      const id = await db.transaction(async (tx) => {
        const r = dutyRepository(tx);
        const clash = await r.overlapping(body.userId, s.startsAt, s.endsAt);
        if (clash)
          throw new AppError('conflict', `user ${body.userId} already has shift ${clash} at that time`);
        const id = await r.insert({ ...s, userId: body.userId, post: body.post, createdBy: p.id });
        await audit.record(tx, {
          action: 'duty.shift.create',
          object: `duty-shift:${id}`,
          details: { ...body },
        });
        await emit(tx, 'duty.roster', body.areaCode, { shiftId: id, change: 'created' });
        return id;
      });
      return shiftJson((await repo.get(id))!);
    },

    /** Removes a shift that has not started yet (a shift worked is a record). */
    async deleteShift(p: Principal, id: number): Promise<void> {
      const s = await repo.get(id);
      if (!s || !inScope(p, s.areaCode)) throw notFound('duty shift', id);
      if (new Date(s.startsAt) <= clock()) {
        throw new AppError('action_not_allowed', `shift ${id} has started; a shift worked stays on record`);
      }
      await db.transaction(async (tx) => {
        await dutyRepository(tx).delete(id);
        await audit.record(tx, {
          action: 'duty.shift.delete',
          object: `duty-shift:${id}`,
          details: shiftJson(s),
        });
        await emit(tx, 'duty.roster', s.areaCode, { shiftId: id, change: 'deleted' });
      });
    },

    /** 交接班: the person on the shift (or a leader over the platform) leaves the handover note. */
    async handover(p: Principal, id: number, note: string): Promise<DutyShiftJson> {
      const s = await repo.get(id);
      if (!s || !inScope(p, s.areaCode)) throw notFound('duty shift', id);
      if (s.userId !== p.id && p.role !== 'leader') {
        throw forbidden('Only the person on the shift or a leader hands it over');
      }
      const now = clock();
      if (new Date(s.startsAt) > now) throw new AppError('action_not_allowed', `shift ${id} has not started`);
      await db.transaction(async (tx) => {
        const r = dutyRepository(tx);
        if (!(await r.handover(id, note, now))) {
          throw new AppError('conflict', `shift ${id} has already been handed over`);
        }
        await r.log({
          areaCode: s.areaCode,
          at: now,
          userId: p.id,
          shiftId: id,
          kind: 'handover',
          text: note,
          ref: null,
        });
        await audit.record(tx, { action: 'duty.handover', object: `duty-shift:${id}`, details: { note } });
        await emit(tx, 'duty.log', s.areaCode, { shiftId: id, kind: 'handover' });
      });
      return shiftJson((await repo.get(id))!);
    },

    async addLog(p: Principal, body: NewLogBody): Promise<DutyLogEntryJson> {
      scopeOf(p, body.areaCode);
      if (!(await repo.area(body.areaCode))) throw notFound('area', body.areaCode);
      const now = clock();
      const mine = (await repo.covering([body.areaCode], now)).find((s) => s.userId === p.id);
      const id = await db.transaction(async (tx) => {
        const id = await dutyRepository(tx).log({
          areaCode: body.areaCode,
          at: now,
          userId: p.id,
          shiftId: mine?.id ?? null,
          kind: body.kind,
          text: body.text,
          ref: body.ref ?? null,
        });
        await audit.record(tx, {
          action: 'duty.log',
          object: `duty-log:${id}`,
          details: { kind: body.kind },
        });
        await emit(tx, 'duty.log', body.areaCode, { id, kind: body.kind });
        return id;
      });
      return logJson((await repo.logEntry(id))!);
    },

    async log(p: Principal, q: LogQuery): Promise<DutyLogEntryJson[]> {
      const { from, to } = window(q, [7 * 24, 1]);
      return (await repo.logEntries(scopeOf(p, q.area), from, to, q.limit ?? 200)).map(logJson);
    },
  };
}
export type DutyService = ReturnType<typeof dutyService>;
