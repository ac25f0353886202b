/**
 * 突发事件: opened by hand or proposed by a plan's trigger (to the person on duty), activated by a
 * leader with a plan and a level (the plan's SOP becomes tasks of departments, each with its time
 * limit), information reports up the levels on time, resources dispatched, stood down, closed by
 * the final report. A drill (演练) runs the same way and is marked as a drill in every event, log
 * entry and report: nothing real is notified. Every change is audited and on the timeline.
 */
import {
  type IncidentLevel,
  incidentLevelNames,
  inScope,
  levelLabel,
  nextReport,
  type PlanProposal,
  type ReportKind,
  reportKindNames,
  reportProblem,
  reportTo,
  resourceKindNames,
  sopTasks,
} from '@onegrid/domain';
import { audit } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { Db, Queryable } from '../db/db.ts';
import { dutyRepository } from '../duty/duty.repository.ts';
import { dutyNow } from '../duty/duty.service.ts';
import { AppError, badRequest, forbidden, notFound } from '../errors.ts';
import { emit } from '../events/outbox.ts';
import type { IncidentJson, IncidentSummaryJson, NewIncidentBody } from './emergency.schema.ts';
import { type IncidentRow, incidentsRepository } from './incidents.repository.ts';
import { plansRepository } from './plans.repository.ts';
import { resourcesRepository } from './resources.repository.ts';

const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null) => (d ? iso(d) : null);
const system = '系统 · 预案研判';

export function summaryJson(r: IncidentRow): IncidentSummaryJson {
  return {
    ...r,
    createdAt: iso(r.createdAt),
    activatedAt: isoOrNull(r.activatedAt),
    stoodDownAt: isoOrNull(r.stoodDownAt),
    closedAt: isoOrNull(r.closedAt),
  };
}

export interface IncidentsDeps {
  db: Db;
  clock: () => Date;
  /** After a commit that wrote events (the bus picks them up at once). */
  nudge?: () => void;
}

export function incidentsService({ db, clock, nudge = () => {} }: IncidentsDeps) {
  const repo = incidentsRepository(db);
  const drillMark = (i: { drill: boolean }) => (i.drill ? '【演练】' : '');

  /** The incident for a change: in the caller's scope (404 otherwise, naming nothing), locked. */
  async function locked(tx: Queryable, p: Principal | null, id: number): Promise<IncidentRow> {
    const i = await incidentsRepository(tx).get(id, true);
    if (!i || (p && !inScope(p, i.areaCode))) throw notFound('incident', id);
    return i;
  }

  /** The event, timeline entry, audit entry and duty-log entry of one change, in its transaction. */
  async function record(
    tx: Queryable,
    i: IncidentRow,
    who: Principal | null,
    e: { kind: string; text: string; action?: string; details?: Record<string, unknown>; dutyLog?: boolean },
  ) {
    const at = clock();
    const actor = who ? who.displayName : system;
    await incidentsRepository(tx).timeline(i.id, {
      at,
      actor,
      kind: e.kind,
      text: `${drillMark(i)}${e.text}`,
    });
    if (e.action) {
      await audit.record(tx, {
        action: e.action,
        object: `incident:${i.id}`,
        details: { ...e.details, drill: i.drill },
        ...(who ? {} : { actor: 'system' }),
      });
    }
    await emit(tx, `emergency.${e.kind}`, i.areaCode, { incidentId: i.id, drill: i.drill, kind: e.kind });
    if (e.dutyLog) {
      const duty = await dutyNow(tx, i.areaCode, at);
      await dutyRepository(tx).log({
        areaCode: duty.platform?.code ?? i.areaCode.slice(0, 4),
        at,
        userId: who?.id ?? null,
        shiftId: null,
        kind: 'incident',
        text: `${drillMark(i)}${i.title}：${e.text}`,
        ref: `incident:${i.id}`,
      });
    }
  }

  async function detail(id: number): Promise<IncidentJson> {
    const i = await repo.get(id);
    if (!i) throw notFound('incident', id);
    const now = clock();
    const [cases, alarms, tasks, reports, dispatches, timeline, onDuty] = await Promise.all([
      repo.cases(id),
      repo.alarms(id),
      repo.tasks(id),
      repo.reports(id),
      repo.dispatches(id),
      repo.timelineOf(id),
      dutyNow(db, i.areaCode, now),
    ]);
    const next = nextReport({
      level: i.level as IncidentLevel,
      activatedAt: i.activatedAt ? new Date(i.activatedAt) : null,
      stoodDownAt: i.stoodDownAt ? new Date(i.stoodDownAt) : null,
      sent: reports.map((r) => ({ kind: r.kind, sentAt: new Date(r.sentAt) })),
    });
    return {
      ...summaryJson(i),
      cases,
      alarms: alarms.map((a) => ({ ...a, raisedAt: iso(a.raisedAt) })),
      tasks: tasks.map((t) => ({
        ...t,
        dueAt: iso(t.dueAt),
        doneAt: isoOrNull(t.doneAt),
        overdue: t.status === 'open' ? new Date(t.dueAt) < now : new Date(t.doneAt!) > new Date(t.dueAt),
      })),
      reports: reports.map((r) => ({
        ...r,
        dueAt: iso(r.dueAt),
        sentAt: iso(r.sentAt),
        onTime: new Date(r.sentAt) <= new Date(r.dueAt),
      })),
      nextReport: next
        ? {
            kind: next.kind,
            dueAt: iso(next.dueAt),
            toArea: reportTo(i.areaCode, i.level as IncidentLevel),
            overdue: next.dueAt < now,
          }
        : null,
      dispatches: dispatches.map((d) => ({
        ...d,
        dispatchedAt: iso(d.dispatchedAt),
        releasedAt: isoOrNull(d.releasedAt),
      })),
      timeline: timeline.map((t) => ({ ...t, at: iso(t.at) })),
      onDuty,
    } as IncidentJson;
  }

  async function link(
    tx: Queryable,
    id: number,
    scope: string,
    caseIds: number[] = [],
    alarmIds: number[] = [],
  ) {
    const r = incidentsRepository(tx);
    const at = clock();
    const missingCases = await r.link(id, 'case', caseIds, scope, at);
    const missingAlarms = await r.link(id, 'alarm', alarmIds, scope, at);
    if (missingCases.length || missingAlarms.length) {
      throw badRequest(
        `not found in your scope: ${[...missingCases.map((c) => `case ${c}`), ...missingAlarms.map((a) => `alarm ${a}`)].join(', ')}`,
      );
    }
  }

  const done = async <T>(fn: () => Promise<T>) => {
    const out = await fn();
    nudge();
    return out;
  };

  return {
    detail: async (p: Principal, id: number) => {
      const i = await repo.get(id);
      if (!i || !inScope(p, i.areaCode)) throw notFound('incident', id);
      return detail(id);
    },

    list: async (
      p: Principal,
      q: { area?: string; status?: IncidentSummaryJson['status']; open?: boolean },
    ) => {
      const scope = q.area ?? p.scopeCode;
      if (!inScope(p, scope)) throw forbidden(`Area ${scope} is outside your scope ${p.scopeCode}`);
      return (await repo.list({ scope, ...q })).map(summaryJson);
    },

    /** Opens an incident by hand (status proposed until a leader activates a plan). */
    create: (p: Principal, b: NewIncidentBody) =>
      done(async () => {
        if (!inScope(p, b.areaCode))
          throw forbidden(`Area ${b.areaCode} is outside your scope ${p.scopeCode}`);
        if ((b.lng === undefined) !== (b.lat === undefined))
          throw badRequest('give both lng and lat, or neither');
        const id = await db.transaction(async (tx) => {
          const r = incidentsRepository(tx);
          const id = await r.insert({
            title: b.title,
            incidentType: b.incidentType,
            level: b.level as IncidentLevel,
            areaCode: b.areaCode,
            lng: b.lng ?? null,
            lat: b.lat ?? null,
            drill: b.drill ?? false,
            proposedPlanId: null,
            reason: null,
            createdBy: p.id,
            at: clock(),
          });
          await link(tx, id, p.scopeCode, b.caseIds, b.alarmIds);
          await r.placeFromLinks(id);
          const i = (await r.get(id))!;
          await record(tx, i, p, {
            kind: 'opened',
            text: `接报突发事件（${levelLabel(i.level as IncidentLevel)}）`,
            action: 'emergency.incident.create',
            details: { ...b },
            dutyLog: true,
          });
          return id;
        });
        return detail(id);
      }),

    /** A plan's trigger fired: a proposed incident, on the duty log of the person on duty. */
    propose: (
      pr: PlanProposal,
      o: { planName: string; incidentType: string; areaName: string; drill?: boolean },
    ) =>
      done(async () =>
        db.transaction(async (tx) => {
          const r = incidentsRepository(tx);
          const id = await r.insert({
            title: `${o.planName} · ${o.areaName}`,
            incidentType: o.incidentType,
            level: pr.level,
            areaCode: pr.areaCode,
            lng: null,
            lat: null,
            drill: o.drill ?? false,
            proposedPlanId: pr.planId,
            reason: pr.reason.zh,
            createdBy: null,
            at: clock(),
          });
          await link(tx, id, '', pr.caseIds, pr.alarmIds);
          await r.placeFromLinks(id);
          const i = (await r.get(id))!;
          await record(tx, i, null, {
            kind: 'proposed',
            text: `${o.areaName}：${pr.reason.zh}，建议启动「${o.planName}」${levelLabel(pr.level)}响应，请值班领导研判`,
            action: 'emergency.incident.create',
            details: { planId: pr.planId, level: pr.level, alarmIds: pr.alarmIds, caseIds: pr.caseIds },
            dutyLog: true,
          });
          return id;
        }),
      ),

    link: (p: Principal, id: number, b: { caseIds?: number[]; alarmIds?: number[] }) =>
      done(async () => {
        await db.transaction(async (tx) => {
          const i = await locked(tx, p, id);
          await link(tx, id, p.scopeCode, b.caseIds, b.alarmIds);
          await record(tx, i, p, {
            kind: 'linked',
            text: `关联案件 ${b.caseIds?.length ?? 0} 件、报警 ${b.alarmIds?.length ?? 0} 条`,
            action: 'emergency.incident.link',
            details: { ...b },
          });
        });
        return detail(id);
      }),

    /** 启动响应: a leader activates a plan at a level; the SOP becomes tasks. */
    activate: (p: Principal, id: number, b: { planId: number; level: number }) =>
      done(async () => {
        await db.transaction(async (tx) => {
          const i = await locked(tx, p, id);
          if (i.status !== 'proposed') {
            throw new AppError(
              'action_not_allowed',
              `incident ${id} is ${i.status}; only a proposed incident is activated`,
            );
          }
          const plan = await plansRepository(tx).get(b.planId);
          if (!plan) throw notFound('plan', b.planId);
          if (!plan.active) throw badRequest(`plan ${plan.code} is not active`);
          if (!inScope(plan.areaCode, i.areaCode))
            throw badRequest(`plan ${plan.code} does not cover area ${i.areaCode}`);
          const now = clock();
          const level = b.level as IncidentLevel;
          const r = incidentsRepository(tx);
          await r.update(id, {
            status: 'active',
            planId: plan.id,
            level,
            activatedAt: now,
            activatedBy: p.id,
          });
          await r.addTasks(id, sopTasks(plan.steps, now));
          await record(tx, { ...i, level }, p, {
            kind: 'activated',
            text: `启动「${plan.name}」${levelLabel(level)}响应，下达处置任务 ${plan.steps.length} 项`,
            action: 'emergency.incident.activate',
            details: { planId: plan.id, level, previousLevel: i.level },
            dutyLog: true,
          });
        });
        return detail(id);
      }),

    setLevel: (p: Principal, id: number, level: number) =>
      done(async () => {
        await db.transaction(async (tx) => {
          const i = await locked(tx, p, id);
          if (i.status !== 'proposed' && i.status !== 'active')
            throw new AppError('action_not_allowed', `incident ${id} is ${i.status}`);
          if (i.level === level) return;
          await incidentsRepository(tx).update(id, { level: level as IncidentLevel });
          const up = level < i.level;
          await record(tx, i, p, {
            kind: 'level',
            text: `响应级别${up ? '提升' : '调整'}为${incidentLevelNames[level as IncidentLevel].zh}（${incidentLevelNames[level as IncidentLevel].roman} 级）`,
            action: 'emergency.incident.update',
            details: { level, previousLevel: i.level },
            dutyLog: true,
          });
        });
        return detail(id);
      }),

    dismiss: (p: Principal, id: number, note: string) =>
      done(async () => {
        await db.transaction(async (tx) => {
          const i = await locked(tx, p, id);
          if (i.status !== 'proposed')
            throw new AppError(
              'action_not_allowed',
              `incident ${id} is ${i.status}; only a proposal is dismissed`,
            );
          await incidentsRepository(tx).update(id, { status: 'dismissed', closedAt: clock() });
          await record(tx, i, p, {
            kind: 'dismissed',
            text: `研判排除：${note}`,
            action: 'emergency.incident.dismiss',
            details: { note },
            dutyLog: true,
          });
        });
        return detail(id);
      }),

    /** 应急终止: resources are released; the final report is then due. */
    standDown: (p: Principal, id: number, note: string) =>
      done(async () => {
        await db.transaction(async (tx) => {
          const i = await locked(tx, p, id);
          if (i.status !== 'active')
            throw new AppError(
              'action_not_allowed',
              `incident ${id} is ${i.status}; only an active one stands down`,
            );
          const r = incidentsRepository(tx);
          await r.update(id, { status: 'stood-down', stoodDownAt: clock() });
          const released = await r.releaseAll(id, clock());
          await record(tx, i, p, {
            kind: 'stood-down',
            text: `终止应急响应，收回资源 ${released} 个：${note}`,
            action: 'emergency.incident.stand-down',
            details: { note, released },
            dutyLog: true,
          });
        });
        return detail(id);
      }),

    /** 信息报送: the report goes to the platform above (duty log there); the final one closes the incident. */
    report: (p: Principal, id: number, b: { kind: ReportKind; text: string }) =>
      done(async () => {
        await db.transaction(async (tx) => {
          const i = await locked(tx, p, id);
          const r = incidentsRepository(tx);
          const sent = (await r.reports(id)).map((x) => ({ kind: x.kind, sentAt: new Date(x.sentAt) }));
          const problem = reportProblem(b.kind, { status: i.status, sent });
          if (problem) throw new AppError('action_not_allowed', problem);
          const now = clock();
          const next = nextReport({
            level: i.level as IncidentLevel,
            activatedAt: i.activatedAt ? new Date(i.activatedAt) : null,
            stoodDownAt: i.stoodDownAt ? new Date(i.stoodDownAt) : null,
            sent,
          });
          const dueAt = next && next.kind === b.kind ? next.dueAt : now;
          const toArea = reportTo(i.areaCode, i.level as IncidentLevel);
          await r.addReport(id, { kind: b.kind, toArea, dueAt, sentAt: now, sentBy: p.id, text: b.text });
          if (b.kind === 'final') await r.update(id, { status: 'closed', closedAt: now });
          const late = now > dueAt;
          await record(tx, i, p, {
            kind: 'report',
            text: `向 ${toArea} 报送${reportKindNames[b.kind].zh}${late ? '（超时）' : ''}：${b.text}`,
            action: 'emergency.report.send',
            details: { kind: b.kind, toArea, dueAt: dueAt.toISOString(), late },
          });
          // The receiving platform's duty log is where the report lands (in-app delivery).
          await dutyRepository(tx).log({
            areaCode: toArea,
            at: now,
            userId: p.id,
            shiftId: null,
            kind: 'incident',
            text: `${drillMark(i)}${reportKindNames[b.kind].zh} · ${i.title}：${b.text}`,
            ref: `incident:${id}`,
          });
        });
        return detail(id);
      }),

    /** A department (or the duty desk for it) reports an SOP task done, with its feedback. */
    taskDone: (p: Principal, id: number, taskId: number, feedback: string) =>
      done(async () => {
        await db.transaction(async (tx) => {
          const i = await locked(tx, p, id);
          if (i.status !== 'active')
            throw new AppError('action_not_allowed', `incident ${id} is ${i.status}`);
          const r = incidentsRepository(tx);
          const task = (await r.tasks(id)).find((t) => t.id === taskId);
          if (!task) throw notFound('task', taskId);
          if (p.role === 'handler' && task.departmentCode !== p.departmentCode) {
            throw forbidden(`task ${taskId} belongs to ${task.departmentName ?? 'the duty desk'}`);
          }
          if (!(await r.taskDone(id, taskId, p.id, clock(), feedback))) {
            throw new AppError('conflict', `task ${taskId} is already done`);
          }
          await record(tx, i, p, {
            kind: 'task',
            text: `完成第 ${task.stepNo} 步「${task.title}」${clock() > new Date(task.dueAt) ? '（超时）' : ''}：${feedback}`,
            action: 'emergency.task.done',
            details: { taskId, stepNo: task.stepNo, feedback },
          });
        });
        return detail(id);
      }),

    /** Sends an available resource to the incident (distance from the incident's place). */
    dispatch: (p: Principal, id: number, resourceId: number) =>
      done(async () => {
        await db.transaction(async (tx) => {
          const i = await locked(tx, p, id);
          if (i.status !== 'active')
            throw new AppError('action_not_allowed', `incident ${id} is ${i.status}; activate it first`);
          const res = await resourcesRepository(tx).get(resourceId, true);
          if (!res || !inScope(p, res.areaCode)) throw notFound('resource', resourceId);
          if (res.status !== 'available') throw new AppError('conflict', `${res.name} is ${res.status}`);
          const distance = await incidentsRepository(tx).dispatch(id, resourceId, p.id, clock());
          await resourcesRepository(tx).setStatus(resourceId, 'dispatched');
          const km = distance === null ? '' : `（距 ${(distance / 1000).toFixed(1)} 公里）`;
          await record(tx, i, p, {
            kind: 'dispatch',
            text: `调派${resourceKindNames[res.kind].zh}「${res.name}」${km}`,
            action: 'emergency.dispatch',
            details: { resourceId, kind: res.kind, distanceM: distance },
          });
        });
        return detail(id);
      }),
  };
}
export type IncidentsService = ReturnType<typeof incidentsService>;
