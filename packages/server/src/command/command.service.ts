/** The command screen's use cases: what the wall shows, scoped to the caller's area. */

import { matrixRepository } from '../cases/matrix.repository.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { publicText } from '../privacy/present.ts';
import { figuresRepository } from './command.figures.ts';

/** The wall is seen by visitors too: notes and descriptions lose any phone or ID number. */
const wallTimeline = <T extends { note: string | null }>(rows: T[]): T[] =>
  rows.map((r) => ({ ...r, note: publicText(r.note) }));

import { commandRepository, type ReplayRow } from './command.repository.ts';

/** Replays longer than this are refused: a day is the screen's unit, a week the most it draws. */
export const maxReplayMs = 7 * 86_400_000;
export const maxReplayEvents = 50_000;
/** Cases (and, apart, alarms) open at a replay's start: the whole open set of a city's backlog. */
export const maxReplayOpen = 200_000;
const trackPoints = 120;

const replayEvent = (r: ReplayRow) => ({
  at: new Date(r.at).toISOString(),
  kind: r.kind,
  id: r.id,
  action: r.action,
  lng: r.lng,
  lat: r.lat,
  status: r.status,
  major: r.major,
  urgent: r.urgent,
  severity: r.severity,
  number: r.number,
});

export function commandService({ db, clock }: { db: Db; clock: () => Date }) {
  const repo = commandRepository(db);
  const figures = figuresRepository(db);
  const matrix = matrixRepository(db);

  return {
    /** Open cases as parallel arrays: ≈ 40 bytes a case, so 100,000 cases stay a few MB. */
    async openCases(area: string) {
      const cols = await repo.openCaseColumns(area, clock());
      const statuses: string[] = [];
      const statusIndex = new Map<string, number>();
      const status = cols.status.map((name) => {
        let s = statusIndex.get(name);
        if (s === undefined) {
          s = statuses.push(name) - 1;
          statusIndex.set(name, s);
        }
        return s;
      });
      return { total: cols.id.length, statuses, cases: { ...cols, status } };
    },

    /** Open cases counted by street (city, district) or unit grid (street, grid), for the first view. */
    async caseSummary(area: string) {
      const level = area.length >= 9 ? ('grid' as const) : ('street' as const);
      const [rows, info] = await Promise.all([
        repo.openCaseGroups(area, level === 'grid' ? 15 : 9),
        figures.areaInfo(area),
      ]);
      return {
        total: rows.reduce((n, r) => n + r.count, 0),
        level,
        bbox: info?.bbox ?? null,
        groups: {
          code: rows.map((r) => r.code),
          lng: rows.map((r) => r.lng),
          lat: rows.map((r) => r.lat),
          count: rows.map((r) => r.count),
          urgent: rows.map((r) => r.urgent),
        },
      };
    },

    /** Latest position (last two hours) and recent track of every inspector in the area. */
    async inspectors(area: string) {
      const points = await repo.patrolPoints(area, clock(), trackPoints);
      const byUser = new Map<number, typeof points>();
      for (const p of points) {
        const list = byUser.get(p.userId) ?? [];
        list.push(p);
        byUser.set(p.userId, list);
      }
      return [...byUser.values()].map((list) => {
        const last = list[list.length - 1]!;
        return {
          userId: last.userId,
          name: last.name,
          lng: last.lng,
          lat: last.lat,
          at: new Date(last.at).toISOString(),
          unitGridCode: last.unitGridCode,
          track: list.map(
            (p) => [p.lng, p.lat, Math.round(new Date(p.at).getTime() / 1000)] as [number, number, number],
          ),
        };
      });
    },

    async replay(area: string, from: Date, to: Date) {
      if (to.getTime() <= from.getTime())
        throw new AppError('validation_failed', '`to` must be after `from`', { field: 'to' });
      if (to.getTime() - from.getTime() > maxReplayMs) {
        throw new AppError('validation_failed', 'A replay covers at most 7 days', { field: 'to' });
      }
      const [rows, start] = await Promise.all([
        repo.replay(area, from, to, maxReplayEvents),
        repo.stateAt(area, from, maxReplayOpen),
      ]);
      const truncated =
        rows.length > maxReplayEvents ||
        start.cases.length > maxReplayOpen ||
        start.alarms.length > maxReplayOpen;
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        truncated,
        initial: [...start.cases.slice(0, maxReplayOpen), ...start.alarms.slice(0, maxReplayOpen)].map(
          replayEvent,
        ),
        events: rows.slice(0, maxReplayEvents).map(replayEvent),
      };
    },

    /** An incident taking the screen: details, nearest inspectors, the responsible department, timeline. */
    async focus(scope: string, target: { case: number } | { alarm: number }) {
      const now = clock();
      if ('case' in target) {
        const c = await repo.caseForFocus(target.case, now);
        if (!c?.areaCode.startsWith(scope)) throw new AppError('not_found', `Case ${target.case} not found`);
        const deptCode = c.departmentCode ?? (await matrix.propose(c.category, c.areaCode))?.departmentCode;
        return {
          kind: 'case' as const,
          id: c.id,
          title: c.number,
          lng: c.lng,
          lat: c.lat,
          areaCode: c.areaCode,
          case: {
            id: c.id,
            number: c.number,
            status: c.status,
            category: c.category,
            categoryName: c.categoryName,
            urgency: c.urgency,
            source: c.source,
            description: publicText(c.description),
            address: c.address,
            createdAt: new Date(c.createdAt).toISOString(),
            dueAt: c.dueAt ? new Date(c.dueAt).toISOString() : null,
            overdue: c.overdue,
          },
          alarm: null,
          department: deptCode ? await repo.department(deptCode) : null,
          inspectors: await repo.nearestInspectors(scope, c.lng, c.lat, now, 5),
          timeline: wallTimeline(await repo.caseTimeline(c.id)),
        };
      }
      const a = await repo.alarmForFocus(target.alarm);
      if (!a || !(a.areaCode ?? '').startsWith(scope) || a.lng === null || a.lat === null) {
        throw new AppError('not_found', `Alarm ${target.alarm} not found`);
      }
      const linked = a.caseId ? await repo.caseForFocus(a.caseId, now) : undefined;
      const deptCode =
        linked?.departmentCode ??
        a.ownerDept ??
        (a.caseCategory && a.areaCode
          ? (await matrix.propose(a.caseCategory, a.areaCode))?.departmentCode
          : undefined);
      const timeline = [
        ...(await repo.alarmTimeline(a.id)),
        ...(linked ? wallTimeline(await repo.caseTimeline(linked.id)) : []),
      ].sort((x, y) => x.at.localeCompare(y.at));
      return {
        kind: 'alarm' as const,
        id: a.id,
        title: a.ruleName,
        lng: a.lng,
        lat: a.lat,
        areaCode: a.areaCode,
        case: linked
          ? {
              id: linked.id,
              number: linked.number,
              status: linked.status,
              category: linked.category,
              categoryName: linked.categoryName,
              urgency: linked.urgency,
              source: linked.source,
              description: publicText(linked.description),
              address: linked.address,
              createdAt: new Date(linked.createdAt).toISOString(),
              dueAt: linked.dueAt ? new Date(linked.dueAt).toISOString() : null,
              overdue: linked.overdue,
            }
          : null,
        alarm: {
          id: a.id,
          severity: a.severity,
          ruleName: a.ruleName,
          deviceId: a.deviceId,
          deviceName: a.deviceName,
          raisedAt: new Date(a.raisedAt).toISOString(),
          cleared: a.cleared,
          lastValue: a.lastValue,
        },
        department: deptCode ? await repo.department(deptCode) : null,
        inspectors: await repo.nearestInspectors(scope, a.lng, a.lat, now, 5),
        timeline,
      };
    },

    /** Figures of one area and of the level below it, for drill-down. */
    async area(scope: string, code: string) {
      const now = clock();
      const info = await figures.areaInfo(code);
      if (!info) throw new AppError('not_found', `Area ${code} not found`);
      const [path, totals, children, breakdown, trend] = await Promise.all([
        figures.path(scope, code),
        figures.totals(code, now),
        figures.children(code, now),
        figures.breakdown(code),
        figures.trend(code, now, 14),
      ]);
      return {
        area: { code: info.code, name: info.name, level: info.level },
        path,
        bbox: info.bbox,
        totals,
        children,
        ...breakdown,
        trend,
        grid: info.level === 'grid' ? await figures.gridDetail(code, now) : null,
      };
    },
  };
}

export type CommandService = ReturnType<typeof commandService>;
